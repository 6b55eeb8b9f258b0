#include "unixDatagramSocket.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "errors.h"
#include "fdWatch.h"

namespace syntonic {

namespace {

// linuxptp's management messages fit one Ethernet payload; anything up to this size is read whole,
// a larger datagram is counted as truncated and dropped.
constexpr size_t kDatagramOctets = 8192;
constexpr int kMaxReadsPerWake = 64;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

struct sockaddr_un AddressOf(const std::string& path, const char* what) {
  struct sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    throw OsError(ENAMETOOLONG, what,
                  "Unix socket path " + Quoted(path) + " must be 1 to " + std::to_string(sizeof address.sun_path - 1) +
                      " octets long");
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

UniqueFd OpenDatagramSocket() {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    throw OsError(err, "socket", "cannot open a Unix datagram socket: " + ErrnoText(err));
  }
  return UniqueFd(fd);
}

// A socket file nobody reads from (ECONNREFUSED on connect) is left over from a process that died.
bool IsStaleSocket(const struct sockaddr_un& address) {
  struct stat st{};
  if (::lstat(address.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  UniqueFd probe(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) return false;
  return ::connect(probe.get(), reinterpret_cast<const struct sockaddr*>(&address), sizeof address) != 0 &&
         errno == ECONNREFUSED;
}

void Bind(int fd, const std::string& path) {
  const struct sockaddr_un address = AddressOf(path, "bind");
  auto bindOnce = [&] { return ::bind(fd, reinterpret_cast<const struct sockaddr*>(&address), sizeof address); };
  if (bindOnce() == 0) return;
  int err = errno;
  if (err == EADDRINUSE && IsStaleSocket(address) && ::unlink(address.sun_path) == 0 && bindOnce() == 0) return;
  err = errno;
  if (err == EADDRINUSE) {
    throw OsError(err, "bind", Quoted(path) + " is in use: another process serves on it, or it is not a socket");
  }
  throw OsError(err, "bind", "cannot bind a Unix datagram socket to " + Quoted(path) + ": " + ErrnoText(err));
}

// The sender's path; abstract addresses as '@name'; '' for an unbound sender.
std::string PeerPath(const struct sockaddr_un& address, socklen_t length) {
  const socklen_t header = offsetof(struct sockaddr_un, sun_path);
  if (length <= header) return std::string();
  size_t n = static_cast<size_t>(length - header);
  if (address.sun_path[0] == '\0') return "@" + std::string(address.sun_path + 1, n - 1);
  return std::string(address.sun_path, strnlen(address.sun_path, n));
}

}  // namespace

Napi::Function UnixDatagramSocket::DefineClass(Napi::Env env) {
  return ObjectWrap<UnixDatagramSocket>::DefineClass(
      env, "UnixDatagramSocket",
      {
          InstanceMethod<&UnixDatagramSocket::SendTo>("sendTo"),
          InstanceMethod<&UnixDatagramSocket::Counters>("counters"),
          InstanceMethod<&UnixDatagramSocket::RefHandle>("ref"),
          InstanceMethod<&UnixDatagramSocket::UnrefHandle>("unref"),
          InstanceMethod<&UnixDatagramSocket::Close>("close"),
      });
}

UnixDatagramSocket::UnixDatagramSocket(const Napi::CallbackInfo& info) : ObjectWrap<UnixDatagramSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "UnixDatagramSocket(path: string, callbacks: object)");
  }
  Napi::Object callbacks = info[1].As<Napi::Object>();
  for (const char* name : {"onMessage", "onSocketError"}) {
    if (!callbacks.Get(name).IsFunction()) {
      throw Napi::TypeError::New(env, std::string("callbacks.") + name + " must be a function");
    }
  }
  onMessage_ = Napi::Persistent(callbacks.Get("onMessage").As<Napi::Function>());
  onSocketError_ = Napi::Persistent(callbacks.Get("onSocketError").As<Napi::Function>());
  path_ = info[0].As<Napi::String>();
  TranslateErrors(env, [&] {
    UniqueFd fd = OpenDatagramSocket();
    Bind(fd.get(), path_);
    fd_ = std::move(fd);
  });
  buffer_.resize(kDatagramOctets);
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "SyntonicUnixDatagramSocket");
  StartPolling(env);
}

UnixDatagramSocket::~UnixDatagramSocket() {
  if (cleanupHookAdded_) napi_remove_env_cleanup_hook(Env(), &UnixDatagramSocket::OnEnvCleanup, this);
  CloseNow();
}

void UnixDatagramSocket::StartPolling(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    CloseNow();
    throw Napi::Error::New(env, "cannot reach the libuv event loop");
  }
  const int rc = StartFdWatch(loop, fd_.get(), UV_READABLE, this, &UnixDatagramSocket::OnPoll, &poll_);
  if (rc != 0) {
    CloseNow();
    throw Napi::Error::New(env, std::string("cannot watch the Unix datagram socket: ") + uv_strerror(rc));
  }
  cleanupHookAdded_ = napi_add_env_cleanup_hook(env, &UnixDatagramSocket::OnEnvCleanup, this) == napi_ok;
  ObjectWrap<UnixDatagramSocket>::Ref();
  holdsSelf_ = true;
}

void UnixDatagramSocket::CloseNow() {
  StopFdWatch(&poll_);
  fd_.reset();
}

void UnixDatagramSocket::OnEnvCleanup(void* self) {
  auto* socket = static_cast<UnixDatagramSocket*>(self);
  socket->cleanupHookAdded_ = false;
  socket->CloseNow();
}

void UnixDatagramSocket::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<UnixDatagramSocket*>(handle->data);
  Napi::Env env = self->Env();
  Napi::HandleScope handleScope(env);
  Napi::CallbackScope callbackScope(env, *self->asyncContext_);
  self->inLoopCallback_ = true;
  if (status < 0) {
    self->ReportSocketError(-status, "poll", true);
  } else if ((events & UV_READABLE) != 0) {
    self->DrainDatagrams();
  }
  self->inLoopCallback_ = false;
}

void UnixDatagramSocket::Invoke(Napi::FunctionReference& fn, std::initializer_list<napi_value> args) {
  try {
    fn.Call(args);
  } catch (const Napi::Error& e) {
    if (!inLoopCallback_) throw;
    napi_fatal_exception(Env(), e.Value());
  }
}

void UnixDatagramSocket::DrainDatagrams() {
  Napi::Env env = Env();
  for (int i = 0; i < kMaxReadsPerWake && fd_.valid(); i++) {
    struct sockaddr_un peer{};
    socklen_t peerLength = sizeof peer;
    ssize_t n = ::recvfrom(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC,
                           reinterpret_cast<struct sockaddr*>(&peer), &peerLength);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      if (err == EINTR) continue;
      ReportSocketError(err, "recvfrom", false);
      return;
    }
    if (static_cast<size_t>(n) > buffer_.size()) {
      datagramsTruncated_++;
      continue;
    }
    datagramsReceived_++;
    Napi::HandleScope scope(env);
    Invoke(onMessage_, {Napi::Buffer<uint8_t>::Copy(env, buffer_.data(), static_cast<size_t>(n)),
                        Napi::String::New(env, PeerPath(peer, peerLength))});
  }
}

void UnixDatagramSocket::ReportSocketError(int err, const char* syscall, bool fatal) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Error error = ToJsError(env, OsError(err, syscall, "Unix datagram socket " + Quoted(path_) + ": " + ErrnoText(err)));
  if (fatal) Shutdown();
  Invoke(onSocketError_, {error.Value(), Napi::Boolean::New(env, fatal)});
}

Napi::Value UnixDatagramSocket::SendTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "sendTo(data: Uint8Array, peerPath: string)");
  }
  Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
  const std::string peerPath = info[1].As<Napi::String>();
  return TranslateErrors(env, [&]() -> Napi::Value {
    if (!fd_.valid()) throw OsError(EBADF, "sendto", "the Unix datagram socket " + Quoted(path_) + " is closed");
    struct sockaddr_un address{};
    address.sun_family = AF_UNIX;
    socklen_t length = sizeof address;
    if (!peerPath.empty() && peerPath[0] == '@') {
      // Abstract address: a leading NUL, then the name, with the length naming exactly those octets.
      if (peerPath.size() > sizeof address.sun_path) throw OsError(ENAMETOOLONG, "sendto", "abstract address too long");
      std::memcpy(address.sun_path + 1, peerPath.data() + 1, peerPath.size() - 1);
      length = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + peerPath.size());
    } else {
      address = AddressOf(peerPath, "sendto");
    }
    ssize_t sent = ::sendto(fd_.get(), data.Data(), data.ByteLength(), MSG_DONTWAIT,
                            reinterpret_cast<const struct sockaddr*>(&address), length);
    if (sent < 0) {
      int err = errno;
      throw OsError(err, "sendto", "cannot send to " + Quoted(peerPath) + ": " + ErrnoText(err));
    }
    datagramsSent_++;
    return Napi::Number::New(env, static_cast<double>(sent));
  });
}

Napi::Value UnixDatagramSocket::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("datagramsReceived", Napi::Number::New(env, static_cast<double>(datagramsReceived_)));
  result.Set("datagramsTruncated", Napi::Number::New(env, static_cast<double>(datagramsTruncated_)));
  result.Set("datagramsSent", Napi::Number::New(env, static_cast<double>(datagramsSent_)));
  return result;
}

Napi::Value UnixDatagramSocket::RefHandle(const Napi::CallbackInfo& info) {
  if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value UnixDatagramSocket::UnrefHandle(const Napi::CallbackInfo& info) {
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value UnixDatagramSocket::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

void UnixDatagramSocket::Shutdown() {
  CloseNow();
  if (cleanupHookAdded_) {
    napi_remove_env_cleanup_hook(Env(), &UnixDatagramSocket::OnEnvCleanup, this);
    cleanupHookAdded_ = false;
  }
  if (holdsSelf_) {
    holdsSelf_ = false;
    ObjectWrap<UnixDatagramSocket>::Unref();
  }
}

}  // namespace syntonic
