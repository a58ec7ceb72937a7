package io.sextant.translator;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.sextant.config.networking.Fault;
import io.sextant.config.networking.HttpRoute;
import io.sextant.translator.envoy.ProtoDurations;
import java.util.Optional;

/**
 * Istio's {@code fault} on an HTTP route: {@code envoy.filters.http.fault}, empty in the connection
 * manager, with the route's delay and abort as its per-route {@code HTTPFault}. grpc-java runs this
 * filter too (its {@code FaultFilter}), so proxyless clients get it.
 */
final class FaultInjection implements HttpFilterContributor {
  static final String FILTER = "envoy.filters.http.fault";

  @Override
  public Filter filter() {
    return new Filter(FILTER, HTTPFault.getDefaultInstance(), Optional.empty());
  }

  @Override
  public String routeField() {
    return "fault";
  }

  @Override
  public Optional<Message> routeConfig(HttpRoute http) {
    return http.fault().map(FaultInjection::httpFault);
  }

  static HTTPFault httpFault(Fault fault) {
    HTTPFault.Builder b = HTTPFault.newBuilder();
    fault
        .delay()
        .ifPresent(
            d ->
                b.setDelay(
                    FaultDelay.newBuilder()
                        .setFixedDelay(ProtoDurations.of(d.fixedDelay()))
                        .setPercentage(percent(d.percentage()))));
    fault
        .abort()
        .ifPresent(
            a -> {
              FaultAbort.Builder abort =
                  FaultAbort.newBuilder().setPercentage(percent(a.percentage()));
              if (a.status() instanceof Fault.GrpcStatus g) {
                abort.setGrpcStatus(g.code());
              } else {
                abort.setHttpStatus(((Fault.HttpStatus) a.status()).code());
              }
              b.setAbort(abort);
            });
    return b.build();
  }

  /** A percentage out of a million, as Istio writes it, so fractions such as 0.1% survive. */
  static FractionalPercent percent(double percentage) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percentage * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
