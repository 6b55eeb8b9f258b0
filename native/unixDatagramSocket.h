// A Unix-domain datagram socket bound to a path (what linuxptp's pmc and ptp4l speak on uds_address),
// watched by libuv on the JS thread like the packet port. Node's own modules offer no AF_UNIX SOCK_DGRAM.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "uniqueFd.h"

namespace syntonic {

// JS: new UnixDatagramSocket(path, { onMessage, onSocketError })
//   onMessage(data: Buffer, peer: string)   peer: the sender's bound path, '' when it has none
//   onSocketError(error: Error, fatal: boolean)
// Methods: sendTo(data, peerPath) → octets sent (throws a system error), counters(), ref(), unref(),
// close() (the socket file is left for the caller to remove).
class UnixDatagramSocket : public Napi::ObjectWrap<UnixDatagramSocket> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit UnixDatagramSocket(const Napi::CallbackInfo& info);
  ~UnixDatagramSocket() override;

 private:
  Napi::Value SendTo(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void StartPolling(Napi::Env env);
  void CloseNow();
  void Shutdown();
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEnvCleanup(void* self);
  void DrainDatagrams();
  void ReportSocketError(int err, const char* syscall, bool fatal);
  void Invoke(Napi::FunctionReference& fn, std::initializer_list<napi_value> args);

  std::string path_;
  UniqueFd fd_;
  uv_poll_t* poll_ = nullptr;
  bool holdsSelf_ = false;
  bool inLoopCallback_ = false;
  bool cleanupHookAdded_ = false;
  uint64_t datagramsReceived_ = 0;
  uint64_t datagramsTruncated_ = 0;
  uint64_t datagramsSent_ = 0;
  std::vector<uint8_t> buffer_;
  Napi::FunctionReference onMessage_;
  Napi::FunctionReference onSocketError_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace syntonic
