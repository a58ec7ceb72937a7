package io.sextant.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnamesTest {

  @ParameterizedTest
  @CsvSource({
    "reviews, shop, reviews.shop.svc.cluster.local",
    "reviews.shop, shop, reviews.shop",
    "httpbin.org, shop, httpbin.org",
    "Reviews, shop, reviews.shop.svc.cluster.local",
    "*.example.com, shop, *.example.com"
  })
  void shortNames_areQualifiedInTheRulesNamespace(String host, String ns, String expected) {
    assertThat(Hostnames.qualify(host, ns, "cluster.local")).isEqualTo(expected);
  }

  @Test
  void wildcards_matchSuffixesOnly() {
    assertThat(Hostnames.matches("*.example.com", "api.example.com")).isTrue();
    assertThat(Hostnames.matches("*.example.com", "example.com")).isFalse();
    assertThat(Hostnames.matches("*", "anything.at.all")).isTrue();
    assertThat(Hostnames.matches("a.example.com", "b.example.com")).isFalse();
  }

  @Test
  void shortForms_dependOnTheProxysNamespace() {
    String host = "reviews.shop.svc.cluster.local";

    assertThat(Hostnames.shortForms(host, "shop", "cluster.local"))
        .containsExactly("reviews", "reviews.shop", "reviews.shop.svc");
    assertThat(Hostnames.shortForms(host, "other", "cluster.local"))
        .containsExactly("reviews.shop", "reviews.shop.svc");
    assertThat(Hostnames.shortForms("httpbin.org", "shop", "cluster.local")).isEmpty();
  }

  @Test
  void validity() {
    assertThat(Hostnames.isValid("reviews.shop.svc.cluster.local")).isTrue();
    assertThat(Hostnames.isValid("-bad.example.com")).isFalse();
    assertThat(Hostnames.isValid("under_score.com")).isFalse();
    assertThat(Hostnames.isWildcard("*.example.com")).isTrue();
    assertThat(Hostnames.isWildcard("*example.com")).isFalse();
  }
}
