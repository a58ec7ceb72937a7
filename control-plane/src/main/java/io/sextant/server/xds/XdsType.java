package io.sextant.server.xds;

import io.envoyproxy.controlplane.cache.Resources;
import java.util.Optional;

/** The four xDS types Sextant serves, with the short names operators know them by. */
public enum XdsType {
  LDS(Resources.V3.LISTENER_TYPE_URL),
  RDS(Resources.V3.ROUTE_TYPE_URL),
  CDS(Resources.V3.CLUSTER_TYPE_URL),
  EDS(Resources.V3.ENDPOINT_TYPE_URL);

  private final String typeUrl;

  XdsType(String typeUrl) {
    this.typeUrl = typeUrl;
  }

  public String typeUrl() {
    return typeUrl;
  }

  public static Optional<XdsType> of(String typeUrl) {
    for (XdsType t : values()) {
      if (t.typeUrl.equals(typeUrl)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The short name, or the type URL itself for types Sextant does not serve. */
  public static String shortName(String typeUrl) {
    return of(typeUrl).map(Enum::name).orElse(typeUrl);
  }
}
