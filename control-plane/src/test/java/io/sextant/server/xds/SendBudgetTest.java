package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendBudgetTest {
  private final List<String> woken = new ArrayList<>();
  private final SendBudget<String> budget = new SendBudget<>(100, woken::add, Runnable::run);

  @Test
  void responsesThatFit_goOutAtOnce_andHoldTheirBytesUntilReleased() {
    assertThat(budget.acquire("a", 60)).isTrue();
    assertThat(budget.acquire("b", 40)).isTrue();
    assertThat(budget.inFlight()).isEqualTo(100);

    budget.release(60);

    assertThat(budget.inFlight()).isEqualTo(40);
    assertThat(woken).isEmpty();
  }

  @Test
  void aStreamThatDoesNotFit_waits_andIsWokenWithItsBytesReserved() {
    budget.acquire("a", 90);
    assertThat(budget.acquire("b", 50)).isFalse();

    budget.release(90);

    assertThat(woken).containsExactly("b");
    assertThat(budget.inFlight()).as("reserved for b").isEqualTo(50);
    assertThat(budget.acquire("b", 50)).as("uses its reservation").isTrue();
    assertThat(budget.inFlight()).isEqualTo(50);
  }

  @Test
  void theLineIsFirstComeFirstServed_aSmallResponseDoesNotJumpIt() {
    budget.acquire("a", 90);
    assertThat(budget.acquire("big", 60)).isFalse();
    assertThat(budget.acquire("small", 5)).as("would fit, but big is first").isFalse();

    budget.release(90);

    assertThat(woken).containsExactly("big", "small");
    assertThat(budget.inFlight()).isEqualTo(65);
  }

  @Test
  void aWokenStreamSendingLessThanReserved_givesTheRestBack() {
    budget.acquire("a", 100);
    budget.acquire("b", 80);
    budget.release(100);

    assertThat(budget.acquire("b", 30)).isTrue();

    assertThat(budget.inFlight()).isEqualTo(30);
  }

  @Test
  void aWokenStreamWithNothingToSend_unreserves_andTheNextInLineIsWoken() {
    budget.acquire("a", 100);
    budget.acquire("b", 80);
    budget.acquire("c", 80);
    budget.release(100);
    assertThat(woken).containsExactly("b");

    budget.unreserve("b");

    assertThat(woken).containsExactly("b", "c");
    assertThat(budget.inFlight()).isEqualTo(80);
  }

  @Test
  void oneResponseLargerThanTheWholeCap_goesOutWhenNothingElseIsInFlight() {
    assertThat(budget.acquire("huge", 500)).isTrue();
    assertThat(budget.acquire("next", 1)).isFalse();

    budget.release(500);

    assertThat(woken).containsExactly("next");
  }

  @Test
  void aStreamThatEnds_leavesTheLine_andItsReservationGoesBack() {
    budget.acquire("a", 100);
    budget.acquire("b", 70);
    budget.acquire("c", 70);
    budget.forget("c");
    budget.release(100);
    assertThat(woken).containsExactly("b");

    budget.forget("b");

    assertThat(budget.inFlight()).isZero();
    assertThat(woken).containsExactly("b");
  }

  @Test
  void aStreamRefusedAgainWhileInLine_keepsOnePlace_andIsWokenOnce() {
    budget.acquire("a", 100);
    assertThat(budget.acquire("b", 50)).isFalse();
    assertThat(budget.acquire("b", 50)).isFalse();
    assertThat(budget.acquire("c", 50)).isFalse();

    budget.release(100);

    assertThat(woken).containsExactly("b", "c");
    assertThat(budget.inFlight()).isEqualTo(100);
  }

  @Test
  void aStreamWokenFromTheLine_canQueueAgain_andOneThatLeftCanComeBack() {
    budget.acquire("a", 100);
    budget.acquire("b", 60);
    budget.forget("b");
    assertThat(budget.acquire("b", 60)).as("back in line after leaving it").isFalse();
    budget.release(100);
    assertThat(woken).containsExactly("b");
    assertThat(budget.acquire("b", 60)).isTrue();

    assertThat(budget.acquire("b", 60)).as("in line again for a second response").isFalse();
    budget.release(60);

    assertThat(woken).containsExactly("b", "b");
  }
}
