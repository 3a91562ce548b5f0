// Bindings for the index file: CRC-32C of a byte range (sync, and async for the big vector
// section), and memory for stored rows as a mapping: the file's vector section mapped
// copy-on-write (no read into fresh memory, whose page faults cost ~3 s per GiB on these
// VMs), followed by reserved address space that later rows fill page by page, so growing
// a mapped or reserved store needs no copy until the reservation runs out.
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#if defined(__linux__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define FACECORE_MMAP 1
#endif

#include "args.h"
#include "bindings.h"
#include "facecore/crc32c.h"
#include "promise_worker.h"

namespace facecore::addon {
namespace {

// The largest ArrayBuffer Node 20 creates (a larger external one is freed twice, not refused).
constexpr double kMaxBytes = 4294967296.0;

// crc32c(bytes: Uint8Array, seed: number) -> number
Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  expect_args(info, 2, "crc32c");
  auto bytes = typed_array<uint8_t>(info[0], "bytes");
  const auto seed = static_cast<uint32_t>(size_arg(info[1], "seed", 0, 4294967295.0));
  return Napi::Number::New(info.Env(), crc32c(seed, bytes.data, bytes.length));
}

struct CrcJob {
  const uint8_t* data = nullptr;
  size_t n = 0;
  uint32_t seed = 0;
  uint32_t* out = nullptr;
  void run() { *out = crc32c(seed, data, n); }
  std::string failure() const { return {}; }
};

// crc32cAsync(bytes: Uint8Array, seed: number, out: Uint32Array(1)) -> Promise<void>
Napi::Value Crc32cAsync(const Napi::CallbackInfo& info) {
  expect_args(info, 3, "crc32cAsync");
  auto bytes = typed_array<uint8_t>(info[0], "bytes");
  auto job = std::make_unique<CrcJob>();
  job->data = bytes.data, job->n = bytes.length;
  job->seed = static_cast<uint32_t>(size_arg(info[1], "seed", 0, 4294967295.0));
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
      info[2].As<Napi::TypedArray>().ElementLength() < 1)
    throw_type(info.Env(), "out: expected a Uint32Array of at least 1 element, got " + describe(info[2]));
  auto out = info[2].As<Napi::TypedArray>();
  job->out = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(out.ArrayBuffer().Data()) + out.ByteOffset());
  auto keep = std::make_unique<KeepAlive>();
  keep->hold_objects(info);
  return PromiseWorker<CrcJob>::Start(info.Env(), "facecore.crc32c", std::move(job), std::move(keep));
}

#if FACECORE_MMAP
constexpr size_t kHuge = size_t{2} << 20;

// A reservation: [raw, raw + raw_bytes) is what was mapped, [base, base + bytes) what JS sees.
struct Mapping {
  void* raw;
  size_t raw_bytes;
  size_t accounted;  // bytes reported to V8 as external memory, so it collects dropped stores
};

size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// The ArrayBuffer over [base, base + bytes); unmapped when V8 collects it.
Napi::Value wrap(Napi::Env env, void* base, size_t bytes, void* raw, size_t raw_bytes) {
  auto* m = new Mapping{raw, raw_bytes, bytes};
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  return Napi::ArrayBuffer::New(env, base, bytes, [](Napi::Env e, void*, Mapping* mp) {
    munmap(mp->raw, mp->raw_bytes);
    Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(mp->accounted));
    delete mp;
  }, m);
}

// Address space for `bytes`, readable and writable, pages allocated only when written, with
// base = `phase` modulo 2 MiB. A file mapped at an address congruent to its offset modulo
// 2 MiB gets the page cache's large folios mapped whole: reading 1 GiB the first time took
// 50-90 ms instead of 300-500 ms. Anonymous pages may come as transparent huge pages.
void* reserve(size_t bytes, size_t phase, void** raw, size_t* raw_bytes) {
  *raw_bytes = bytes + 2 * kHuge;
  void* p = mmap(nullptr, *raw_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  *raw = p;
  const uintptr_t aligned = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  auto* base = reinterpret_cast<uint8_t*>(aligned + phase % kHuge);
#if defined(MADV_HUGEPAGE)
  madvise(reinterpret_cast<void*>(aligned), *raw_bytes - (aligned - reinterpret_cast<uintptr_t>(p)) - kHuge, MADV_HUGEPAGE);
#endif
  return base;
}
#endif

// reserveRows(bytes) -> ArrayBuffer | null (null: no mmap here, or the reservation failed)
Napi::Value ReserveRows(const Napi::CallbackInfo& info) {
  expect_args(info, 1, "reserveRows");
  const size_t bytes = size_arg(info[0], "bytes", 1, kMaxBytes);
#if FACECORE_MMAP
  void* raw;
  size_t raw_bytes;
  if (void* p = reserve(bytes, 0, &raw, &raw_bytes)) return wrap(info.Env(), p, bytes, raw, raw_bytes);
#endif
  (void)bytes;
  return info.Env().Null();
}

// mapFileRows(path, offset, length, reserveBytes) -> ArrayBuffer | null. The first `length`
// bytes are the file's [offset, offset + length), private (writes never reach the file);
// the rest up to reserveBytes is zero-filled reserve. offset must be a multiple of the page
// size (null if it is not: the caller reads the file instead).
Napi::Value MapFileRows(const Napi::CallbackInfo& info) {
  expect_args(info, 4, "mapFileRows");
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw_type(env, "path: expected a string, got " + describe(info[0]));
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const size_t offset = size_arg(info[1], "offset", 0, kMaxBytes);
  const size_t length = size_arg(info[2], "length", 0, kMaxBytes);
  const size_t bytes = size_arg(info[3], "reserveBytes", 1, kMaxBytes);
  if (bytes < length)
    throw_range(env, "reserveBytes: expected at least length (" + std::to_string(length) + "), got " + std::to_string(bytes));
#if FACECORE_MMAP
  if (offset % page_size() != 0) return env.Null();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Napi::Error::New(env, path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < offset + length) {
    close(fd);
    throw_range(env, path + ": expected at least " + std::to_string(offset + length) + " bytes, the file has " + std::to_string(st.st_size));
  }
  void* raw;
  size_t raw_bytes;
  void* base = reserve(bytes, offset, &raw, &raw_bytes);
  if (base == nullptr) {
    close(fd);
    return env.Null();
  }
  // Mapped read-only with MAP_POPULATE, then made writable: populating a writable private
  // mapping prepares every page for copy-on-write (1 GiB: 0.2-1.4 s instead of 15 ms).
  const size_t mapped = (length + page_size() - 1) / page_size() * page_size();
  int flags = MAP_PRIVATE | MAP_FIXED;
#if defined(MAP_POPULATE)
  flags |= MAP_POPULATE;
#endif
  const bool ok = length == 0 || (mmap(base, mapped, PROT_READ, flags, fd, static_cast<off_t>(offset)) != MAP_FAILED &&
                                  mprotect(base, mapped, PROT_READ | PROT_WRITE) == 0);
  close(fd);
  if (!ok) {
    munmap(raw, raw_bytes);
    return env.Null();
  }
  return wrap(env, base, bytes, raw, raw_bytes);
#else
  (void)path, (void)offset, (void)length, (void)bytes;
  return env.Null();
#endif
}

}  // namespace

void InitFile(Napi::Env env, Napi::Object exports) {
  exports.Set("crc32c", Napi::Function::New(env, Crc32c));
  exports.Set("crc32cAsync", Napi::Function::New(env, Crc32cAsync));
  exports.Set("reserveRows", Napi::Function::New(env, ReserveRows));
  exports.Set("mapFileRows", Napi::Function::New(env, MapFileRows));
}

}  // namespace facecore::addon
