// A connected, unbound AF_UNIX datagram socket that only sends, for chronyd's SOCK refclock (Node's
// dgram module has no AF_UNIX). UnixDatagramSocket (unixDatagramSocket.*) is the bound one that
// receives and answers (the pmc management socket); a sender needs no path of its own, as
// linuxptp's refclock_sock servo has none.
#pragma once

#include <napi.h>

namespace syntonic {

// Adds the class UnixDatagramSender to the exports:
//   new UnixDatagramSender(path)  socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC) + connect(path)
//   .send(bytes)                   one datagram, never blocks (EAGAIN is thrown, not waited for)
//   .close()
// Failures throw errors shaped like Node's system errors (code, errno, syscall).
void RegisterUnixDatagramSender(Napi::Env env, Napi::Object exports);

}  // namespace syntonic
