package dev.aimesh.core.resource;

/** The {@code apiVersion} and {@code kind} a document declares. */
public record ResourceType(String apiVersion, String kind) {
    @Override
    public String toString() {
        return apiVersion + "/" + kind;
    }
}
