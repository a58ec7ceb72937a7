package io.sextant.server.xds;

import java.util.List;
import java.util.Optional;

/** The four xDS types Sextant serves, with the short names operators know them by. */
public enum XdsType {
  LDS("type.googleapis.com/envoy.config.listener.v3.Listener"),
  RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
  CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
  EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");

  /**
   * The order Istio and Envoy expect a push in: clusters before endpoints, listeners before routes.
   */
  static final List<XdsType> PUSH_ORDER = List.of(CDS, EDS, LDS, RDS);

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
  /**
   * Whether every state-of-the-world response carries every resource of the type (LDS, CDS); for
   * RDS and EDS a response may carry just the resources that changed.
   */
  boolean fullState() {
    return this == LDS || this == CDS;
  }

  public static String shortName(String typeUrl) {
    return of(typeUrl).map(Enum::name).orElse(typeUrl);
  }
}
