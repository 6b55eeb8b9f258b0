#include "netInterface.h"

#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "errors.h"

namespace syntonic {

UniqueFd OpenControlSocket() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    throw OsError(err, "socket", "cannot open a control socket for interface queries: " + ErrnoText(err));
  }
  return UniqueFd(fd);
}

void CopyInterfaceName(const std::string& name, char (&dest)[16]) {
  static_assert(sizeof(dest) == IFNAMSIZ, "ifr_name is IFNAMSIZ octets");
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('\0') != std::string::npos) {
    throw OsError(EINVAL, "if_nametoindex",
                  "\"" + name + "\" is not a valid interface name (1 to 15 characters)");
  }
  std::memset(dest, 0, sizeof dest);
  std::memcpy(dest, name.data(), name.size());
}

namespace {

void InterfaceIoctl(int fd, unsigned long request, const char* requestName, const std::string& name,
                    struct ifreq& ifr) {
  CopyInterfaceName(name, ifr.ifr_name);
  if (::ioctl(fd, request, &ifr) == 0) return;
  int err = errno;
  if (err == ENODEV) {
    throw OsError(err, std::string("ioctl(") + requestName + ")",
                  "no network interface named \"" + name +
                      "\" in this network namespace (list them with \"ip link\")");
  }
  throw OsError(err, std::string("ioctl(") + requestName + ")",
                std::string(requestName) + " on \"" + name + "\" failed: " + ErrnoText(err));
}

}  // namespace

InterfaceInfo LookupInterface(const std::string& name) {
  UniqueFd control = OpenControlSocket();
  InterfaceInfo info;
  struct ifreq ifr{};

  InterfaceIoctl(control.get(), SIOCGIFINDEX, "SIOCGIFINDEX", name, ifr);
  info.index = ifr.ifr_ifindex;

  InterfaceIoctl(control.get(), SIOCGIFHWADDR, "SIOCGIFHWADDR", name, ifr);
  for (int i = 0; i < 6; i++) {
    info.macAddress = (info.macAddress << 8) | static_cast<uint8_t>(ifr.ifr_hwaddr.sa_data[i]);
  }

  InterfaceIoctl(control.get(), SIOCGIFFLAGS, "SIOCGIFFLAGS", name, ifr);
  info.up = (ifr.ifr_flags & IFF_UP) != 0;
  info.running = (ifr.ifr_flags & IFF_RUNNING) != 0;
  return info;
}

}  // namespace syntonic
