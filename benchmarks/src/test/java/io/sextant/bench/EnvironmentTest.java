package io.sextant.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a scenario records about the JVMs it ran on. */
class EnvironmentTest {
  @Test
  void theJvmAJavaLauncherStarts_isDescribedAsThisJvmDescribesItself() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    assertThat(Environment.jvmOf(java))
        .isEqualTo(Environment.describe().get("jvm").getAsString())
        .contains(System.getProperty("java.runtime.version"));
  }

  @Test
  void aLauncherThatIsNotJava_isAnError() {
    assertThatThrownBy(() -> Environment.jvmOf(Path.of("/bin/false")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/bin/false");
  }
}
