#include "packetPort.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstring>

#include "errors.h"
#include "fdWatch.h"

namespace syntonic {

namespace {

constexpr uint16_t kPtpEthertype = 0x88F7;
// 01:80:C2:00:00:0E, the gPTP peer-to-peer group address (802.1AS-2020 Table 11-3).
constexpr uint8_t kGptpMulticast[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E};
// Ethernet header (14) + PTP common header (34): anything shorter cannot be a PTP message.
constexpr uint32_t kMinimumFrameOctets = 14 + 34;
// Largest frame a packet socket can hand over (64 KiB, GSO aside): no truncation in practice.
constexpr size_t kFrameBufferOctets = 65536;
// One wake-up drains at most this many frames, so a flood cannot starve the rest of the event loop;
// libuv polls level-triggered and wakes again at once for the remainder.
constexpr int kMaxReadsPerWake = 256;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// Classic BPF run by the kernel before a frame is queued: only PTP-over-Ethernet frames long enough
// to hold a PTP header reach the socket, so nothing else wakes the process.
void AttachPtpFilter(int fd) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                          // A = ethertype
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kPtpEthertype, 0, 3),        // not PTP → drop
      BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),                           // A = frame length
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, kMinimumFrameOctets, 0, 1),  // too short → drop
      BPF_STMT(BPF_RET | BPF_K, 0x40000),                              // accept the whole frame
      BPF_STMT(BPF_RET | BPF_K, 0),                                    // drop
  };
  struct sock_fprog program{};
  program.len = sizeof code / sizeof code[0];
  program.filter = code;
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    int err = errno;
    throw OsError(err, "setsockopt(SO_ATTACH_FILTER)", "cannot attach the PTP frame filter: " + ErrnoText(err));
  }
}

void SetIntOption(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    int err = errno;
    throw OsError(err, std::string("setsockopt(") + what + ")",
                  std::string("cannot set ") + what + " on the packet socket: " + ErrnoText(err));
  }
}

UniqueFd OpenPacketSocket(const std::string& ifname) {
  // Protocol 0: the socket receives nothing until bind() names 0x88F7, so no frame can slip in
  // before the filter is attached.
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  if (err == EPERM || err == EACCES) {
    throw OsError(err, "socket",
                  "opening a raw packet socket on " + Quoted(ifname) +
                      " needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep on the node binary)");
  }
  throw OsError(err, "socket", "cannot open a raw packet socket: " + ErrnoText(err));
}

void BindToInterface(int fd, const std::string& ifname, int ifindex) {
  struct sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(kPtpEthertype);
  address.sll_ifindex = ifindex;
  if (::bind(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
    int err = errno;
    throw OsError(err, "bind", "cannot bind the packet socket to " + Quoted(ifname) + ": " + ErrnoText(err));
  }
}

// Real NICs filter multicast in hardware: join the gPTP group so its frames are let in.
void JoinGptpGroup(int fd, const std::string& ifname, int ifindex) {
  struct packet_mreq request{};
  request.mr_ifindex = ifindex;
  request.mr_type = PACKET_MR_MULTICAST;
  request.mr_alen = sizeof kGptpMulticast;
  std::memcpy(request.mr_address, kGptpMulticast, sizeof kGptpMulticast);
  if (::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &request, sizeof request) != 0) {
    int err = errno;
    throw OsError(err, "setsockopt(PACKET_ADD_MEMBERSHIP)",
                  "cannot join 01:80:c2:00:00:0e on " + Quoted(ifname) + ": " + ErrnoText(err));
  }
}

std::string SendErrorMessage(int err, const std::string& ifname, size_t octets) {
  switch (err) {
    case ENETDOWN:
      return "cannot send on " + Quoted(ifname) + ": the interface is down";
    case ENXIO:
    case ENODEV:
      return "cannot send on " + Quoted(ifname) + ": the interface no longer exists";
    case EMSGSIZE:
      return "cannot send a " + std::to_string(octets) + "-octet frame on " + Quoted(ifname) +
             ": larger than its MTU";
    case EINVAL:
      return "cannot send a " + std::to_string(octets) + "-octet frame on " + Quoted(ifname) +
             ": shorter than an Ethernet header";
    case EAGAIN:
    case ENOBUFS:
      return "the transmit queue of " + Quoted(ifname) + " is full: frame dropped";
    default:
      return "cannot send on " + Quoted(ifname) + ": " + ErrnoText(err);
  }
}

// One recvmsg into `iov` with room for the timestamping control messages (frames and error queue);
// `msg` keeps pointing at the caller's iov and control buffer.
ssize_t ReceiveWithControl(int fd, struct iovec* iov, char (&control)[256], int flags, struct msghdr* msg) {
  *msg = {};
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control;
  msg->msg_controllen = sizeof control;
  return ::recvmsg(fd, msg, flags);
}

const char* ModeName(TimestampingMode mode) {
  return mode == TimestampingMode::kHardware ? "hardware" : "software";
}

}  // namespace

Napi::Function PacketPort::DefineClass(Napi::Env env) {
  return ObjectWrap<PacketPort>::DefineClass(
      env, "PacketPort",
      {
          InstanceMethod<&PacketPort::Send>("send"),
          InstanceMethod<&PacketPort::DrainErrorQueue>("drainErrorQueue"),
          InstanceMethod<&PacketPort::Info>("info"),
          InstanceMethod<&PacketPort::LinkState>("linkState"),
          InstanceMethod<&PacketPort::Counters>("counters"),
          InstanceMethod<&PacketPort::RefHandle>("ref"),
          InstanceMethod<&PacketPort::UnrefHandle>("unref"),
          InstanceMethod<&PacketPort::Close>("close"),
      });
}

PacketPort::PacketPort(const Napi::CallbackInfo& info) : ObjectWrap<PacketPort>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsObject()) {
    throw Napi::TypeError::New(env, "PacketPort(ifname: string, mode: string, callbacks: object)");
  }
  const std::string mode = info[1].As<Napi::String>();
  if (mode != "hardware" && mode != "software" && mode != "hardware-p2p1step") {
    throw Napi::TypeError::New(env, "timestamping mode must be 'hardware', 'hardware-p2p1step' or 'software'");
  }
  oneStepP2p_ = mode == "hardware-p2p1step";
  Napi::Object callbacks = info[2].As<Napi::Object>();
  for (const char* name : {"onFrame", "onTxTimestamp", "onSocketError"}) {
    if (!callbacks.Get(name).IsFunction()) {
      throw Napi::TypeError::New(env, std::string("callbacks.") + name + " must be a function");
    }
  }
  onFrame_ = Napi::Persistent(callbacks.Get("onFrame").As<Napi::Function>());
  onTxTimestamp_ = Napi::Persistent(callbacks.Get("onTxTimestamp").As<Napi::Function>());
  onSocketError_ = Napi::Persistent(callbacks.Get("onSocketError").As<Napi::Function>());

  TranslateErrors(env, [&] {
    Open(info[0].As<Napi::String>(), mode == "software" ? TimestampingMode::kSoftware
                                                        : TimestampingMode::kHardware);
  });
  frameBuffer_.resize(kFrameBufferOctets);
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "SyntonicPacketPort");
  StartPolling(env);
}

PacketPort::~PacketPort() {
  // Only reached after close() (an open port holds a strong reference to itself) or at teardown.
  if (cleanupHookAdded_) napi_remove_env_cleanup_hook(Env(), &PacketPort::OnEnvCleanup, this);
  CloseNow();
}

void PacketPort::Open(const std::string& ifname, TimestampingMode mode) {
  ifname_ = ifname;
  mode_ = mode;
  interface_ = LookupInterface(ifname);
  timestampingInfo_ = QueryTimestampingInfo(ifname);
  if (mode == TimestampingMode::kHardware && !OffersHardwareTimestamping(timestampingInfo_)) {
    throw OsError(EOPNOTSUPP, "ioctl(SIOCETHTOOL)",
                  Quoted(ifname) + " offers no hardware timestamping; use --timestamping software");
  }

  UniqueFd fd = OpenPacketSocket(ifname);
  AttachPtpFilter(fd.get());
  BindToInterface(fd.get(), ifname, interface_.index);
  JoinGptpGroup(fd.get(), ifname, interface_.index);
  if (oneStepP2p_ && (timestampingInfo_.txTypes & (1u << HWTSTAMP_TX_ONESTEP_P2P)) == 0) {
    throw OsError(EOPNOTSUPP, "ioctl(SIOCETHTOOL)",
                  Quoted(ifname) + " cannot insert one-step Pdelay_Resp timestamps (no HWTSTAMP_TX_ONESTEP_P2P); "
                                   "use time_stamping hardware");
  }
  if (mode == TimestampingMode::kHardware) {
    hardwareSetting_.Enable(ifname, oneStepP2p_ ? HWTSTAMP_TX_ONESTEP_P2P : HWTSTAMP_TX_ON);
  }
  SetIntOption(fd.get(), SOL_SOCKET, SO_TIMESTAMPING, static_cast<int>(SocketTimestampingFlags(mode)),
               "SO_TIMESTAMPING");
  // Makes poll() report the error queue as POLLPRI besides POLLERR. libuv treats a bare POLLERR as a
  // dead descriptor (it stops the handle with UV_EBADF); POLLERR|POLLPRI arrives as UV_PRIORITIZED.
  SetIntOption(fd.get(), SOL_SOCKET, SO_SELECT_ERR_QUEUE, 1, "SO_SELECT_ERR_QUEUE");
  fd_ = std::move(fd);
}

void PacketPort::StartPolling(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    CloseNow();
    throw Napi::Error::New(env, "cannot reach the libuv event loop");
  }
  const int rc = StartFdWatch(loop, fd_.get(), UV_READABLE | UV_PRIORITIZED, this, &PacketPort::OnPoll, &poll_);
  if (rc != 0) {
    CloseNow();
    throw Napi::Error::New(env, std::string("cannot watch the packet socket: ") + uv_strerror(rc));
  }
  // Cleanup hooks run when the environment goes away (process exit included): the NIC's hardware
  // timestamping setting is restored even when close() was never called.
  cleanupHookAdded_ = napi_add_env_cleanup_hook(env, &PacketPort::OnEnvCleanup, this) == napi_ok;
  ObjectWrap<PacketPort>::Ref();
  holdsSelf_ = true;
}

void PacketPort::CloseNow() {
  StopFdWatch(&poll_);
  fd_.reset();
  hardwareSetting_.Restore();
}

void PacketPort::OnEnvCleanup(void* self) {
  auto* port = static_cast<PacketPort*>(self);
  port->cleanupHookAdded_ = false;
  port->CloseNow();
}

void PacketPort::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<PacketPort*>(handle->data);
  Napi::Env env = self->Env();
  Napi::HandleScope handleScope(env);
  // One callback scope per wake-up: promise jobs and nextTicks queued by the listeners run once,
  // after the whole batch, as for Node's own sockets.
  Napi::CallbackScope callbackScope(env, *self->asyncContext_);
  self->inLoopCallback_ = true;
  self->pollWakeups_++;
  if (status < 0) {
    self->ReportSocketError(-status, "poll", true);  // libuv errors are negated errno values
  } else {
    if ((events & UV_PRIORITIZED) != 0) {
      self->DrainTxTimestamps();
      self->ReadPendingSocketError();
    }
    if ((events & UV_READABLE) != 0) self->DrainFrames();
  }
  self->inLoopCallback_ = false;
}

void PacketPort::Invoke(Napi::FunctionReference& fn, std::initializer_list<napi_value> args) {
  try {
    fn.Call(args);
  } catch (const Napi::Error& e) {
    // A listener threw. Inside a JS call (drainErrorQueue) it propagates to the caller; from the
    // event loop it becomes an uncaughtException, as a throwing 'data' listener of a net.Socket does.
    if (!inLoopCallback_) throw;
    napi_fatal_exception(Env(), e.Value());
  }
}

void PacketPort::DrainFrames() {
  Napi::Env env = Env();
  for (int i = 0; i < kMaxReadsPerWake && fd_.valid(); i++) {
    alignas(struct cmsghdr) char control[256];
    struct msghdr msg{};
    struct iovec iov{frameBuffer_.data(), frameBuffer_.size()};
    ssize_t n = ReceiveWithControl(fd_.get(), &iov, control, MSG_DONTWAIT, &msg);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      if (err == EINTR) continue;
      // ENETDOWN: the interface went down (or away); the socket itself stays usable.
      ReportSocketError(err, "recvmsg", false);
      if (err == ENETDOWN) continue;
      return;
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      framesTruncated_++;
      continue;
    }
    framesReceived_++;
    KernelTimestamp ts = TimestampFromControl(msg);
    Napi::HandleScope scope(env);
    Invoke(onFrame_, {Napi::Buffer<uint8_t>::Copy(env, frameBuffer_.data(), static_cast<size_t>(n)),
                      ts.valid ? Napi::Value(Napi::BigInt::New(env, ts.ns)) : env.Undefined(),
                      Napi::Boolean::New(env, ts.hardware)});
  }
}

void PacketPort::DrainTxTimestamps() {
  Napi::Env env = Env();
  for (int i = 0; i < kMaxReadsPerWake && fd_.valid(); i++) {
    // OPT_TSONLY: the report carries no frame, but recvmsg still wants a buffer.
    char data[64];
    alignas(struct cmsghdr) char control[256];
    struct msghdr msg{};
    struct iovec iov{data, sizeof data};
    ssize_t n = ReceiveWithControl(fd_.get(), &iov, control, MSG_ERRQUEUE | MSG_DONTWAIT, &msg);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err != EAGAIN && err != EWOULDBLOCK) ReportSocketError(err, "recvmsg(MSG_ERRQUEUE)", false);
      return;
    }
    uint32_t key = 0;
    if (!TxTimestampKeyFromControl(msg, &key)) continue;
    KernelTimestamp ts = TimestampFromControl(msg);
    if (!ts.valid) continue;
    txTimestampsReceived_++;
    Napi::HandleScope scope(env);
    Invoke(onTxTimestamp_, {Napi::Number::New(env, key), Napi::BigInt::New(env, ts.ns),
                            Napi::Boolean::New(env, ts.hardware)});
  }
}

void PacketPort::ReadPendingSocketError() {
  // A socket error (ENETDOWN when the interface goes down) raises POLLERR|POLLPRI too. Reading
  // SO_ERROR clears it; left pending, poll would report it again at once, a busy loop.
  if (!fd_.valid()) return;
  int err = 0;
  socklen_t length = sizeof err;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &length) == 0 && err != 0) {
    ReportSocketError(err, "poll", false);
  }
}

void PacketPort::ReportSocketError(int err, const char* syscall, bool fatal) {
  std::string message = err == ENETDOWN ? Quoted(ifname_) + " went down (or was removed)"
                                        : "packet socket on " + Quoted(ifname_) + ": " + ErrnoText(err);
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Error error = ToJsError(env, OsError(err, syscall, message));
  if (fatal) Shutdown();
  Invoke(onSocketError_, {error.Value(), Napi::Boolean::New(env, fatal)});
}

void PacketPort::RestartTxKeys() {
  // Toggling OPT_ID off and on restarts the kernel's key counter at 0 (sock_set_timestamping).
  const int flags = static_cast<int>(SocketTimestampingFlags(mode_));
  const int withoutId = flags & ~SOF_TIMESTAMPING_OPT_ID;
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPING, &withoutId, sizeof withoutId) == 0 &&
      ::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0) {
    nextTxKey_ = 0;
    txKeyRestarts_++;
  }
}

Napi::Value PacketPort::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray()) {
    throw Napi::TypeError::New(env, "send(frame: Uint8Array, event: boolean)");
  }
  Napi::Uint8Array frame = info[0].As<Napi::Uint8Array>();
  const bool event = info[1].ToBoolean();
  if (!fd_.valid()) {
    throw ToJsError(env, OsError(EBADF, "sendmsg", "the packet port on " + Quoted(ifname_) + " is closed"));
  }

  struct iovec iov{frame.Data(), frame.ByteLength()};
  struct msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  // Event messages ask for a TX timestamp with a per-send SO_TIMESTAMPING control message.
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t))] = {};
  if (event) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_TIMESTAMPING;
    c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
    const uint32_t record = TxRecordFlag(mode_);
    std::memcpy(CMSG_DATA(c), &record, sizeof record);
  }
  // Software TX timestamps (skb_tx_timestamp in the driver) are queued on the error queue and the
  // socket's waiters woken (sk_error_report) before the driver hands the frame on: on veth, before
  // the peer's RX timestamp. While libuv watches the socket, that wake-up runs ep_poll_callback inside
  // t1 -> t2, cold after an idle interval: +1.5-2 us on t2 - t1 at 8 Hz, +0.7 us of meanLinkDelay,
  // measured against ptp4l (which polls only after send()). So the socket is out of epoll during the
  // send; level-triggered, whatever arrived meanwhile is reported once it is watched again.
  const bool unwatch = event && mode_ == TimestampingMode::kSoftware && poll_ != nullptr &&
                       uv_is_active(reinterpret_cast<uv_handle_t*>(poll_)) != 0;
  if (unwatch) uv_poll_stop(poll_);
  // Bound sockets send on their interface; the destination is in the frame's own header.
  ssize_t sent = ::sendmsg(fd_.get(), &msg, MSG_DONTWAIT);
  const int sendErr = errno;
  if (unwatch) {
    const int rc = uv_poll_start(poll_, UV_READABLE | UV_PRIORITIZED, &PacketPort::OnPoll);
    if (rc != 0) {
      throw Napi::Error::New(env, std::string("cannot watch the packet socket again after a send: ") + uv_strerror(rc));
    }
  }
  errno = sendErr;
  if (sent < 0) {
    int err = errno;
    // These can come from the device queue after the kernel numbered the frame, or before: the key
    // count is then unknown, so restart it rather than tie later timestamps to the wrong sends.
    if (event && (err == ENOBUFS || err == ENETDOWN)) RestartTxKeys();
    throw ToJsError(env, OsError(err, "sendmsg", SendErrorMessage(err, ifname_, frame.ByteLength())));
  }
  if (!event) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, nextTxKey_++);
}

Napi::Value PacketPort::DrainErrorQueue(const Napi::CallbackInfo& info) {
  DrainTxTimestamps();
  return info.Env().Undefined();
}

Napi::Value PacketPort::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("ifIndex", Napi::Number::New(env, interface_.index));
  // Exact: 48 bits fit a double's 53-bit mantissa.
  result.Set("macAddress", Napi::Number::New(env, static_cast<double>(interface_.macAddress)));
  result.Set("timestampingMode", ModeName(mode_));
  result.Set("oneStepP2p", oneStepP2p_);
  result.Set("phcIndex", Napi::Number::New(env, timestampingInfo_.phcIndex));
  result.Set("rxFilter",
             Napi::Number::New(env, mode_ == TimestampingMode::kHardware ? hardwareSetting_.rxFilter() : -1));
  result.Set("interfaceUp", interface_.up);
  result.Set("carrier", interface_.running);
  return result;
}

Napi::Value PacketPort::LinkState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InterfaceInfo now = TranslateErrors(env, [&] { return LookupInterface(ifname_); });
  Napi::Object result = Napi::Object::New(env);
  result.Set("up", now.up);
  result.Set("carrier", now.running);
  return result;
}

Napi::Value PacketPort::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("framesReceived", static_cast<double>(framesReceived_));
  result.Set("framesTruncated", static_cast<double>(framesTruncated_));
  result.Set("txTimestampsReceived", static_cast<double>(txTimestampsReceived_));
  result.Set("txKeyRestarts", static_cast<double>(txKeyRestarts_));
  result.Set("pollWakeups", static_cast<double>(pollWakeups_));
  return result;
}

Napi::Value PacketPort::RefHandle(const Napi::CallbackInfo& info) {
  if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value PacketPort::UnrefHandle(const Napi::CallbackInfo& info) {
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value PacketPort::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

void PacketPort::Shutdown() {
  CloseNow();
  if (cleanupHookAdded_) {
    napi_remove_env_cleanup_hook(Env(), &PacketPort::OnEnvCleanup, this);
    cleanupHookAdded_ = false;
  }
  if (holdsSelf_) {
    holdsSelf_ = false;
    ObjectWrap<PacketPort>::Unref();
  }
}

}  // namespace syntonic
