package io.sextant.model;

import java.util.Objects;
import java.util.Optional;

/** Where an endpoint runs: region, zone and subzone; empty strings when unknown. */
public record Locality(String region, String zone, String subzone) implements Comparable<Locality> {
  public static final Locality UNKNOWN = new Locality("", "", "");

  /** The labels Kubernetes and Istio use for the three parts of a locality. */
  public static final String REGION_LABEL = "topology.kubernetes.io/region";

  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  public static final String SUBZONE_LABEL = "topology.istio.io/subzone";

  public Locality {
    region = Objects.requireNonNullElse(region, "");
    zone = Objects.requireNonNullElse(zone, "");
    subzone = Objects.requireNonNullElse(subzone, "");
  }

  /** Parses Istio's {@code region/zone/subzone} form; missing parts are empty. */
  public static Locality parse(String value) {
    if (value == null || value.isBlank()) {
      return UNKNOWN;
    }
    String[] parts = value.split("/", -1);
    if (parts.length > 3) {
      throw new IllegalArgumentException(
          "locality must be region/zone/subzone, got '" + value + "'");
    }
    return new Locality(
        parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
  }

  /** The part that topology label {@code key} stands for; empty for any other label. */
  public Optional<String> part(String key) {
    return switch (key) {
      case REGION_LABEL -> Optional.of(region);
      case ZONE_LABEL -> Optional.of(zone);
      case SUBZONE_LABEL -> Optional.of(subzone);
      default -> Optional.empty();
    };
  }

  @Override
  public int compareTo(Locality o) {
    int c = region.compareTo(o.region);
    if (c == 0) {
      c = zone.compareTo(o.zone);
    }
    return c != 0 ? c : subzone.compareTo(o.subzone);
  }

  @Override
  public String toString() {
    return region + "/" + zone + "/" + subzone;
  }
}
