#include "unixDatagramSender.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <string>

#include "errors.h"
#include "uniqueFd.h"

namespace syntonic {
namespace {

UniqueFd ConnectUnixDatagram(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    throw OsError(ENAMETOOLONG, "connect", "Unix socket path '" + path + "' must be 1 to " + std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw OsError(errno, "socket", "socket(AF_UNIX, SOCK_DGRAM): " + ErrnoText(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int err = errno;
    throw OsError(err, "connect", "connect(" + path + "): " + ErrnoText(err));
  }
  return fd;
}

class UnixDatagramSender : public Napi::ObjectWrap<UnixDatagramSender> {
 public:
  explicit UnixDatagramSender(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UnixDatagramSender>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "new UnixDatagramSender(path: string)");
    path_ = info[0].As<Napi::String>();
    fd_ = TranslateErrors(env, [&] { return ConnectUnixDatagram(path_); });
  }

  static Napi::Function DefineClass(Napi::Env env) {
    return ObjectWrap<UnixDatagramSender>::DefineClass(
        env, "UnixDatagramSender",
        {InstanceMethod<&UnixDatagramSender::Send>("send"), InstanceMethod<&UnixDatagramSender::Close>("close")});
  }

 private:
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "send(bytes: Uint8Array)");
    if (!fd_.valid()) throw ToJsError(env, OsError(EBADF, "send", "send on a closed UnixDatagramSender"));
    auto bytes = info[0].As<Napi::Uint8Array>();
    const ssize_t sent = ::send(fd_.get(), bytes.Data(), bytes.ByteLength(), MSG_NOSIGNAL);
    if (sent < 0) {
      const int err = errno;
      throw ToJsError(env, OsError(err, "send", "send to " + path_ + ": " + ErrnoText(err)));
    }
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    fd_.reset();
    return info.Env().Undefined();
  }

  std::string path_;
  UniqueFd fd_;
};

}  // namespace

void RegisterUnixDatagramSender(Napi::Env env, Napi::Object exports) {
  exports.Set("UnixDatagramSender", UnixDatagramSender::DefineClass(env));
}

}  // namespace syntonic
