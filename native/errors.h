// Failed system calls, carried from the plain C++ layers to the JavaScript boundary.
#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>

namespace syntonic {

// The C++ layers (packet socket, timestamping, PHC) know nothing of N-API: they throw OsError, and the
// binding functions turn it into a JS Error shaped like Node's own system errors (code, errno, syscall),
// so that callers can switch on err.code ('ENODEV', 'EPERM', …).
class OsError : public std::runtime_error {
 public:
  OsError(int err, std::string syscall, const std::string& message)
      : std::runtime_error(message), err_(err), syscall_(std::move(syscall)) {}
  int err() const { return err_; }
  const std::string& syscall() const { return syscall_; }

 private:
  int err_;
  std::string syscall_;
};

// "ENODEV" for ENODEV (strerrorname_np, glibc >= 2.32), "E<n>" when unknown.
std::string ErrnoName(int err);
// strerror_r text, e.g. "No such device".
std::string ErrnoText(int err);

// A JS Error with message, code (errno name), errno (negative, as Node's system errors have) and syscall.
Napi::Error ToJsError(Napi::Env env, const OsError& e);

// Runs body(); an OsError escaping it becomes a thrown JS Error (node-addon-api rethrows Napi::Error
// into JavaScript; any other C++ exception would terminate the process).
template <typename F>
auto TranslateErrors(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const OsError& e) {
    throw ToJsError(env, e);
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, "out of memory in the native addon");
  }
}

}  // namespace syntonic
