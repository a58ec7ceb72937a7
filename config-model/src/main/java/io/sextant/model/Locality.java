package io.sextant.model;

import java.util.Objects;

/** Where an endpoint runs: region, zone and subzone; empty strings when unknown. */
public record Locality(String region, String zone, String subzone) implements Comparable<Locality> {
  public static final Locality UNKNOWN = new Locality("", "", "");

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
