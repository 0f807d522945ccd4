package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.config.Diagnostic;

class RequestAuthenticationDecoderTest {
    private static ConfigLoader.LoadResult load(String yaml) {
        return ConfigLoader.load(List.of(new ConfigLoader.SourceFile("jwt.yaml", yaml)));
    }

    @Test
    void decodesIstiosFields() {
        var result = load("""
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: users, namespace: models}
                spec:
                  selector: {matchLabels: {app: llm}}
                  jwtRules:
                  - issuer: https://login.example
                    audiences: [llm, chat]
                    jwksUri: https://login.example/keys
                    fromHeaders: [{name: X-Jwt, prefix: "Bearer "}]
                    fromParams: [token]
                    outputPayloadToHeader: x-jwt-payload
                    forwardOriginalToken: true
                    timeout: 2s
                  - issuer: https://accounts.example
                    jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}'
                """);
        assertThat(result.diagnostics()).isEmpty();
        RequestAuthentication policy = (RequestAuthentication) result.resources().get(0);
        assertThat(policy.jwtRules()).hasSize(2);
        RequestAuthentication.JwtRule first = policy.jwtRules().get(0);
        assertThat(first.fromHeaders()).containsExactly(new RequestAuthentication.HeaderLocation("x-jwt", "Bearer "));
        assertThat(first.defaultLocations()).isFalse();
        assertThat(policy.jwtRules().get(1).defaultLocations()).isTrue();
    }

    @Test
    void reportsEveryProblem() {
        var result = load("""
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: users, namespace: models}
                spec:
                  jwtRules:
                  - audiences: [llm]
                  - issuer: https://a.example
                    jwks: 'not json'
                    jwksUri: ftp://a.example/keys
                  - issuer: not-a-url
                  - issuer: https://a.example
                    jwksUri: https://a.example/keys
                    fromHeaders: [{name: "bad header"}]
                    timeout: 10m
                """);
        assertThat(result.diagnostics().stream().map(Diagnostic::toString).toList()).containsExactly(
                "jwt.yaml:6:5: spec.jwtRules[0].issuer: is required",
                "jwt.yaml:9:14: spec.jwtRules[1].jwksUri: 'ftp://a.example/keys' is not an http(s) URL",
                "jwt.yaml:8:11: spec.jwtRules[1].jwks: is not a JWKS (expected JSON like {\"keys\": [{\"kty\": \"EC\", ...}]})",
                "jwt.yaml:8:11: spec.jwtRules[1].jwks: set either jwks or jwksUri, not both",
                "jwt.yaml:10:13: spec.jwtRules[2].issuer: without jwks or jwksUri the keys are found by OIDC discovery, which"
                        + " needs the issuer to be an https URL: 'not-a-url' is not an http(s) URL",
                "jwt.yaml:13:26: spec.jwtRules[3].fromHeaders[0].name: 'bad header' is not a header name",
                "jwt.yaml:14:14: spec.jwtRules[3].timeout: '10m' is out of range (expected: 100ms to 1m)",
                "jwt.yaml:11:5: spec.jwtRules[3].issuer: issuer https://a.example has a rule already in this policy");
    }
}
