package io.sextant.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConvergenceTest {
  @Test
  void aChangeConvergesWhenItsExpectedProxiesAckAndCountsDeliveriesElsewhere() {
    Convergence convergence = new Convergence();
    // Proxies 0 and 2 import the service; 1 and 3 do not.
    Convergence.Change change =
        convergence.start(LoadGenerator.ENDPOINT_CHANGE, "cluster", "20001", 2, p -> p % 2 == 0);

    convergence.acked(List.of(change), 0, 1);
    convergence.acked(List.of(change), 1, 2);
    assertThat(change.done()).isFalse();
    convergence.acked(List.of(change), 2, 3);

    assertThat(convergence.finished(LoadGenerator.ENDPOINT_CHANGE)).containsExactly(change);
    assertThat(convergence.unexpectedDeliveries()).isEqualTo(1);
    assertThat(convergence.watchedBy(0, "cluster", LoadGenerator.ENDPOINT_CHANGE))
        .as("an expected proxy stops looking once the change converged")
        .isNull();
    assertThat(convergence.watchedBy(3, "cluster", LoadGenerator.ENDPOINT_CHANGE))
        .as("a proxy not expected to get it keeps looking")
        .isSameAs(change);

    convergence.acked(List.of(change), 3, 4);
    assertThat(convergence.unexpectedDeliveries()).isEqualTo(2);
    convergence.reset();
    assertThat(convergence.unexpectedDeliveries()).isZero();
  }
}
