package dev.aimesh.core.resource;

import java.util.Optional;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;

/** Decodes the {@code spec} of one kind; problems go to the reader's diagnostics. */
@FunctionalInterface
interface ResourceDecoder {
    Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec);
}
