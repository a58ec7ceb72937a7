package io.sextant.model;

/** How a service's endpoints are found: listed addresses, or DNS names resolved by the proxy. */
public enum Resolution {
  /** Endpoints are IP addresses delivered over EDS. */
  STATIC,
  /** Endpoints (or the hostname itself) are DNS names the proxy resolves (STRICT_DNS). */
  DNS
}
