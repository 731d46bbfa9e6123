package dev.fedgan.core.privacy;

/**
 * Where a seeded random stream stands, so that a resumed run continues the identical stream: save it with the
 * checkpoint, restore it with {@link GaussianNoise#restore(SeededState)} or {@link ClientSampler#restore(SeededState)}.
 * Secure generators have no state to save (every call draws a fresh key).
 *
 * @param stream   which generator the state belongs to ({@value GaussianNoise#STREAM} or {@value ClientSampler#STREAM})
 * @param seed     the seed the generator was created with
 * @param position how far the stream has been consumed: 64K-coordinate noise chunks for the noise, 16-byte
 *                 keystream blocks for the sampler
 */
public record SeededState(String stream, long seed, long position) {

    public SeededState {
        if (stream == null || stream.isBlank()) {
            throw new IllegalArgumentException("seeded state stream must be named, got " + stream);
        }
        if (position < 0) {
            throw new IllegalArgumentException("seeded state position must be >= 0, got " + position);
        }
    }
}
