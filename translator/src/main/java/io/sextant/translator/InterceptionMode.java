package io.sextant.translator;

/** How traffic reaches a sidecar, as Istio's {@code INTERCEPTION_MODE} metadata says. */
public enum InterceptionMode {
  /** iptables redirects all traffic: outbound to 15001, inbound to 15006. */
  REDIRECT,
  /** No iptables: the app calls 127.0.0.1:PORT explicitly, inbound binds the instance IP. */
  NONE
}
