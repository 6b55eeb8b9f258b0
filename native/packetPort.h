// One AF_PACKET socket bound to one interface for gPTP frames (ethertype 0x88F7), with SO_TIMESTAMPING,
// watched by libuv on the JS thread: no threads, no busy polling.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netInterface.h"
#include "timestamping.h"
#include "uniqueFd.h"

namespace syntonic {

// JS: new PacketPort(ifname, 'hardware' | 'software', { onFrame, onTxTimestamp, onSocketError })
//   onFrame(data: Buffer, timestampNs: bigint | undefined, hardware: boolean)
//   onTxTimestamp(key: number, timestampNs: bigint, hardware: boolean)
//   onSocketError(error: Error, fatal: boolean)
// Methods: send(frame, event) → OPT_ID key or -1, drainErrorQueue(), info(), linkState(), counters(),
// ref(), unref(), close().
class PacketPort : public Napi::ObjectWrap<PacketPort> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit PacketPort(const Napi::CallbackInfo& info);
  ~PacketPort() override;

 private:
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value DrainErrorQueue(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value LinkState(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void Open(const std::string& ifname, TimestampingMode mode);
  void StartPolling(Napi::Env env);
  void CloseNow();  // releases the socket and the NIC setting; safe to call twice
  void Shutdown();  // CloseNow, then drops the cleanup hook and the strong self-reference
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEnvCleanup(void* self);

  void DrainFrames();
  void DrainTxTimestamps();
  void ReadPendingSocketError();
  void ReportSocketError(int err, const char* syscall, bool fatal);
  void Invoke(Napi::FunctionReference& fn, std::initializer_list<napi_value> args);
  void RestartTxKeys();

  std::string ifname_;
  InterfaceInfo interface_;
  TimestampingInfo timestampingInfo_;
  TimestampingMode mode_ = TimestampingMode::kSoftware;
  // Pdelay_Resp one-step: the NIC inserts the turnaround (HWTSTAMP_TX_ONESTEP_P2P, hardware mode only).
  bool oneStepP2p_ = false;
  HardwareTimestampingSetting hardwareSetting_;
  UniqueFd fd_;
  uv_poll_t* poll_ = nullptr;  // owned; freed in its close callback, which libuv runs later
  bool holdsSelf_ = false;     // a strong reference keeps the JS object alive while the port is open
  bool inLoopCallback_ = false;
  bool cleanupHookAdded_ = false;
  uint32_t nextTxKey_ = 0;  // the OPT_ID key the kernel will give the next timestamped send

  uint64_t framesReceived_ = 0;
  uint64_t framesTruncated_ = 0;
  uint64_t txTimestampsReceived_ = 0;
  uint64_t txKeyRestarts_ = 0;
  uint64_t pollWakeups_ = 0;  // libuv callbacks: shows whether anything wakes the process needlessly

  std::vector<uint8_t> frameBuffer_;
  Napi::FunctionReference onFrame_;
  Napi::FunctionReference onTxTimestamp_;
  Napi::FunctionReference onSocketError_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace syntonic
