// Bitwise reflected CRC-32 for tests: polynomial 0xedb88320 is PNG/zlib's, 0x82f63b78 CRC-32C.
export function crc32Reference(poly: number): (bytes: Uint8Array) => number {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  return (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}
