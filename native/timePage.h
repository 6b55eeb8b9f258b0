// The shared-memory time page (docs/time-page.md): a file any process may map read-only, holding the
// current time mapping, error bound, status, UTC and grandmaster fields under a sequence lock. The
// layout is include/syntonic/time_page.h's, which C and C++ readers include as well.
#pragma once

#include <napi.h>
#include <stddef.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>

#include "../include/syntonic/time_page.h"
#include "uniqueFd.h"

namespace syntonic {

// An update is the layout from `flags` (offset 24) to its end, encoded by the caller in the layout's
// byte order (src/provider/timePage.ts); the writer copies it under the sequence lock.
constexpr size_t kTimePageBodyOffset = offsetof(syntonic_time_page_layout, flags);
constexpr size_t kTimePageBodyBytes = SYNTONIC_TIME_PAGE_LAYOUT_BYTES - kTimePageBodyOffset;
using TimePageBody = std::array<uint8_t, kTimePageBodyBytes>;

// The writer: creates the file beside its path, fills the header, and renames it into place (readers
// never see a half-made page); Write() is the sequence-locked update; Close() marks the page stopped
// and removes the file if it is still ours.
class TimePageFile {
 public:
  // Throws OsError: EEXIST (something that is not a time page is in the way), EBUSY (a running
  // syntonic writes it), or the failing call's errno.
  explicit TimePageFile(const std::string& path);
  ~TimePageFile();
  TimePageFile(const TimePageFile&) = delete;
  TimePageFile& operator=(const TimePageFile&) = delete;

  void Write(const TimePageBody& body);
  void Close();
  bool isOpen() const { return layout_ != nullptr; }
  const std::string& path() const { return path_; }

 private:
  void Update(const TimePageBody& body);

  std::string path_;
  UniqueFd fd_;
  syntonic_time_page_layout* layout_ = nullptr;
  TimePageBody last_{};
};

// JS: new TimePage(path) with write(body: Uint8Array), close(), path. Closed (page marked stopped, file
// removed) by close(), by garbage collection, and at environment teardown (process exit).
class TimePageWrap : public Napi::ObjectWrap<TimePageWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit TimePageWrap(const Napi::CallbackInfo& info);
  ~TimePageWrap() override;

 private:
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Path(const Napi::CallbackInfo& info);
  void Shutdown();
  static void OnEnvCleanup(void* self);

  std::unique_ptr<TimePageFile> page_;
  bool cleanupHookAdded_ = false;
};

}  // namespace syntonic
