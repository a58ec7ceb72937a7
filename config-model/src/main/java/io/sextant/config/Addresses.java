package io.sextant.config;

import java.util.regex.Pattern;

/** Syntax checks for IP addresses and CIDR blocks, without DNS lookups. */
final class Addresses {
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  private Addresses() {}

  static boolean isIp(String value) {
    return IPV4.matcher(value).matches() || (IPV6.matcher(value).matches() && value.contains(":"));
  }

  static boolean isIpOrCidr(String value) {
    int slash = value.indexOf('/');
    if (slash < 0) {
      return isIp(value);
    }
    String ip = value.substring(0, slash);
    try {
      int prefix = Integer.parseInt(value.substring(slash + 1));
      int max = ip.contains(":") ? 128 : 32;
      return isIp(ip) && prefix >= 0 && prefix <= max;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
