// A JPEG's stored width and height from its SOF marker, read in JS: decodeShrunk needs only the
// longer side to decide against shrinking, and asking sharp for metadata() costs a header parse
// that decodeImage then does again (measured ~8 ms a photo on the loaded 2-core machine).
// The longer side does not depend on the EXIF orientation, so the SOF size is enough for that.

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** [width, height] of a baseline or progressive JPEG, or undefined when `bytes` is not one we can read. */
export function jpegSize(bytes: Uint8Array): [number, number] | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (isSof(marker)) {
      if (i + 8 >= bytes.length || length < 8) return undefined;
      const height = (bytes[i + 5]! << 8) | bytes[i + 6]!;
      const width = (bytes[i + 7]! << 8) | bytes[i + 8]!;
      return width > 0 && height > 0 ? [width, height] : undefined;
    }
    i += 2 + length;
  }
  return undefined;
}
