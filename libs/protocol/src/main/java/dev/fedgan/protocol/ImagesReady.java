package dev.fedgan.protocol;

/**
 * The image-render service drew a round: the 6×6 grid and the metrics; on the last round also the GIF and, once
 * both GANs are done, the report.
 */
public record ImagesReady(int schema, String experimentId, String gan, int round, ObjectRef grid, double meanPixel,
        String polarity, Double classifierScore, Double frechetDistance, ObjectRef report, String verdict)
        implements Message {

    public ImagesReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.present("grid", grid);
    }
}
