package io.sextant.bench;

import io.sextant.bench.mesh.SidecarScope;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --sidecar-scope} option {@code scenario} and {@code run} share. */
final class SidecarScopeOption {
  @Option(
      names = "--sidecar-scope",
      defaultValue = "none",
      paramLabel = "none|namespace",
      converter = Parser.class,
      description =
          "none: no Sidecar, every proxy sees every service (default). namespace: one Istio"
              + " Sidecar per namespace with egress hosts ./*, so a proxy sees only its"
              + " namespace's services and a change is expected only at that namespace's proxies.")
  SidecarScope scope = SidecarScope.NONE;

  static final class Parser implements ITypeConverter<SidecarScope> {
    @Override
    public SidecarScope convert(String value) {
      try {
        return SidecarScope.of(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
