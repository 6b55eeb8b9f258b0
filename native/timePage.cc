#include "timePage.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.h"

namespace syntonic {

namespace {

static_assert(sizeof(syntonic_time_page_layout) == SYNTONIC_TIME_PAGE_LAYOUT_BYTES, "the layout of docs/time-page.md");
static_assert(offsetof(syntonic_time_page_layout, sequence) == 16 && offsetof(syntonic_time_page_layout, mapping_raw_ns) == 32 &&
                  offsetof(syntonic_time_page_layout, written_raw_ns) == 88 && offsetof(syntonic_time_page_layout, grandmaster_identity) == 104 &&
                  offsetof(syntonic_time_page_layout, grandmaster_priority1) == 120,
              "the offsets of docs/time-page.md");
// The page's fields are std::atomic objects placed on the shared mapping: that is only sound when
// they are lock-free (address-free, no hidden lock word) and as large as the plain field.
static_assert(std::atomic<uint64_t>::is_always_lock_free && sizeof(std::atomic<uint64_t>) == 8, "64-bit atomics");
static_assert(std::atomic<uint32_t>::is_always_lock_free && sizeof(std::atomic<uint32_t>) == 4, "32-bit atomics");

template <typename T>
std::atomic<T>* AtomicAt(void* field) {
  return reinterpret_cast<std::atomic<T>*>(field);
}

template <typename T>
void StoreRelaxed(void* field, T value) {
  AtomicAt<T>(field)->store(value, std::memory_order_relaxed);
}

static_assert(kTimePageBodyOffset == 24 && kTimePageBodyBytes % 8 == 0, "the body is whole 64-bit words");

int64_t MonotonicRawNowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SetWritten(TimePageBody& body, int64_t rawNs) {
  std::memcpy(body.data() + offsetof(syntonic_time_page_layout, written_raw_ns) - kTimePageBodyOffset, &rawNs, 8);
}

// writer_pid is the addon's to fill: the next writer checks whether this process still runs.
void SetWriter(TimePageBody& body) {
  const uint32_t pid = static_cast<uint32_t>(getpid());
  std::memcpy(body.data() + offsetof(syntonic_time_page_layout, writer_pid) - kTimePageBodyOffset, &pid, 4);
}

[[noreturn]] void Fail(int err, const char* syscall, const std::string& what) {
  throw OsError(err, syscall, what + ": " + ErrnoText(err));
}

// A file may be replaced only when it is a time page whose writer is gone: anything else at the
// path (a typo pointing at /etc/…, a directory, a live daemon's page) is refused, never clobbered.
void CheckReplaceable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    Fail(errno, "lstat", "cannot inspect " + path);
  }
  const std::string refusal = path + " exists and is not a syntonic time page; refusing to replace it";
  if (!S_ISREG(st.st_mode)) throw OsError(EEXIST, "lstat", refusal);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) Fail(errno, "open", "cannot read " + path);
  syntonic_time_page_layout old;
  const ssize_t n = pread(fd.get(), &old, sizeof old, 0);
  if (n != static_cast<ssize_t>(sizeof old) || std::memcmp(old.magic, SYNTONIC_TIME_PAGE_MAGIC, 8) != 0) throw OsError(EEXIST, "read", refusal);
  const bool stopped = (old.flags & SYNTONIC_PAGE_STOPPED) != 0;
  const pid_t pid = static_cast<pid_t>(old.writer_pid);
  const bool alive = pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM);
  const bool fresh = MonotonicRawNowNs() - old.written_raw_ns < SYNTONIC_TIME_PAGE_STALE_NS;
  if (!stopped && alive && fresh) {
    throw OsError(EBUSY, "open", "another syntonic (pid " + std::to_string(pid) + ") is writing the time page " + path);
  }
}

}  // namespace

TimePageFile::TimePageFile(const std::string& path) : path_(path) {
  CheckReplaceable(path);
  std::vector<char> temp(path.begin(), path.end());
  const char suffix[] = ".XXXXXX";
  temp.insert(temp.end(), suffix, suffix + sizeof suffix);  // with its NUL
  fd_ = UniqueFd(mkostemp(temp.data(), O_CLOEXEC));
  if (!fd_.valid()) Fail(errno, "mkostemp", "cannot create the time page beside " + path);
  const std::string tempPath(temp.data());
  try {
    // mkostemp creates 0600; any process may read the page (0644), whatever the umask.
    if (fchmod(fd_.get(), 0644) != 0) Fail(errno, "fchmod", "cannot make " + tempPath + " readable");
    if (ftruncate(fd_.get(), SYNTONIC_TIME_PAGE_FILE_BYTES) != 0) Fail(errno, "ftruncate", "cannot size " + tempPath);
    void* map = mmap(nullptr, SYNTONIC_TIME_PAGE_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (map == MAP_FAILED) Fail(errno, "mmap", "cannot map " + tempPath);
    layout_ = static_cast<syntonic_time_page_layout*>(map);
    std::memcpy(layout_->magic, SYNTONIC_TIME_PAGE_MAGIC, 8);
    layout_->layout_version = SYNTONIC_TIME_PAGE_LAYOUT_VERSION;
    layout_->size = SYNTONIC_TIME_PAGE_LAYOUT_BYTES;
    SetWritten(last_, MonotonicRawNowNs());  // status 0 (lost), no mapping, no flags
    SetWriter(last_);
    Update(last_);
    // Atomic replacement: a reader opening the path sees the old page or the new one, whole.
    if (rename(tempPath.c_str(), path.c_str()) != 0) Fail(errno, "rename", "cannot put the time page at " + path);
  } catch (...) {
    if (layout_ != nullptr) munmap(layout_, SYNTONIC_TIME_PAGE_FILE_BYTES);
    layout_ = nullptr;
    unlink(tempPath.c_str());
    throw;
  }
}

TimePageFile::~TimePageFile() { Close(); }

void TimePageFile::Write(const TimePageBody& body) {
  if (layout_ == nullptr) throw OsError(EBADF, "write", "the time page " + path_ + " is closed");
  last_ = body;
  SetWriter(last_);
  Update(last_);
}

// The sequence lock's writer side (one writer: the JS thread). The odd value is published before any
// field changes (release fence after it), and the even value only after all of them (release store),
// so a reader that sees the same even value before and after its copy (acquire) saw one update whole.
// The fields are copied as 64-bit words, each a relaxed atomic store (readers load them atomically,
// so a concurrent read is a race the lock resolves, never undefined behaviour).
void TimePageFile::Update(const TimePageBody& body) {
  syntonic_time_page_layout* p = layout_;
  std::atomic<uint64_t>* sequence = AtomicAt<uint64_t>(&p->sequence);
  const uint64_t s = sequence->load(std::memory_order_relaxed);
  sequence->store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  auto* words = reinterpret_cast<uint8_t*>(p) + kTimePageBodyOffset;
  for (size_t i = 0; i < kTimePageBodyBytes; i += 8) {
    uint64_t word;
    std::memcpy(&word, body.data() + i, 8);
    StoreRelaxed<uint64_t>(words + i, word);
  }
  sequence->store(s + 2, std::memory_order_release);
}

void TimePageFile::Close() {
  if (layout_ == nullptr) return;
  // Readers that keep the old mapping learn that its writer is gone (ESTALE, status LOST).
  uint32_t flags;
  std::memcpy(&flags, last_.data() + offsetof(syntonic_time_page_layout, flags) - kTimePageBodyOffset, 4);
  flags |= SYNTONIC_PAGE_STOPPED;
  std::memcpy(last_.data() + offsetof(syntonic_time_page_layout, flags) - kTimePageBodyOffset, &flags, 4);
  SetWritten(last_, MonotonicRawNowNs());
  Update(last_);
  // Remove the path only if it is still this page (a newer daemon may have replaced it).
  struct stat ours, there;
  if (fstat(fd_.get(), &ours) == 0 && lstat(path_.c_str(), &there) == 0 && ours.st_dev == there.st_dev && ours.st_ino == there.st_ino) {
    unlink(path_.c_str());
  }
  munmap(layout_, SYNTONIC_TIME_PAGE_FILE_BYTES);
  layout_ = nullptr;
  fd_.reset();
}

// ---- JavaScript ---------------------------------------------------------------------------------

Napi::Function TimePageWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<TimePageWrap>::DefineClass(env, "TimePage",
                                               {
                                                   InstanceMethod<&TimePageWrap::Write>("write"),
                                                   InstanceMethod<&TimePageWrap::Close>("close"),
                                                   InstanceAccessor<&TimePageWrap::Path>("path"),
                                               });
}

TimePageWrap::TimePageWrap(const Napi::CallbackInfo& info) : ObjectWrap<TimePageWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "TimePage(path: string)");
  const std::string path = info[0].As<Napi::String>();
  page_ = TranslateErrors(env, [&] { return std::make_unique<TimePageFile>(path); });
  cleanupHookAdded_ = napi_add_env_cleanup_hook(env, &TimePageWrap::OnEnvCleanup, this) == napi_ok;
}

TimePageWrap::~TimePageWrap() { Shutdown(); }

void TimePageWrap::Shutdown() {
  if (page_) page_->Close();
  if (cleanupHookAdded_) {
    napi_remove_env_cleanup_hook(Env(), &TimePageWrap::OnEnvCleanup, this);
    cleanupHookAdded_ = false;
  }
}

// Process exit (process.exit(), the end of the event loop, an uncaught exception): the page is marked
// stopped and removed, as on close().
void TimePageWrap::OnEnvCleanup(void* self) {
  auto* wrap = static_cast<TimePageWrap*>(self);
  wrap->cleanupHookAdded_ = false;
  if (wrap->page_) wrap->page_->Close();
}

Napi::Value TimePageWrap::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[0].As<Napi::Uint8Array>().ByteLength() != kTimePageBodyBytes) {
    throw Napi::TypeError::New(env, "TimePage.write(body: Uint8Array of " + std::to_string(kTimePageBodyBytes) + " bytes)");
  }
  const Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  TimePageBody body;
  std::memcpy(body.data(), bytes.Data(), kTimePageBodyBytes);
  TranslateErrors(env, [&] { page_->Write(body); });
  return env.Undefined();
}

Napi::Value TimePageWrap::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value TimePageWrap::Path(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), page_->path()); }

}  // namespace syntonic
