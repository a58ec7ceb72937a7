package io.sextant.translator;

/** What kind of xDS client a proxy is; only listeners differ between kinds. */
public enum ProxyKind {
  /** An Envoy sidecar next to a workload. */
  SIDECAR,
  /** A proxyless gRPC client: gets API listeners named {@code host:port}. */
  GRPC
}
