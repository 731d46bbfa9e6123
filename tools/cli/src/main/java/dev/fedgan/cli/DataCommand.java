package dev.fedgan.cli;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.data.ColourSummary;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.DatasetSummary;
import dev.fedgan.core.data.ImageFolderReader;
import dev.fedgan.core.render.ImageGrid;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "data", description = "Look at federated data.", subcommands = DataCommand.Inspect.class,
        mixinStandardHelpOptions = true)
final class DataCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Detect the format of a data file and summarise it: writers, examples, classes, pixel "
                    + "convention. A folder of JPEG/PNG images (clients by subfolder, or the CelebA layout) or "
                    + "'shapes' (the generated colour shapes) is summarised as colour images: clients, channel means, "
                    + "attributes; --preview draws a grid of them.",
                "",
                "Corrupt files, NaN pixels, bad labels, empty or duplicate writers are reported with file and writer.",
                ""})
    static final class Inspect implements Callable<Integer> {

        @Parameters(paramLabel = "DATA", description = "bundled, bundled:lab, bundled:field, a TFF .h5 / LEAF .json / IDX"
                + " file, a folder of images, or shapes[:N] (N generated colour images, default 256).")
        String data;

        @Option(names = "--side", defaultValue = "64", paramLabel = "PX",
                description = "Colour images: the side each is cropped and resized to. Default: ${DEFAULT-VALUE}.")
        int side;

        @Option(names = "--preview", paramLabel = "FILE.png",
                description = "Colour images: write a grid of the first (up to 64) images here.")
        Path preview;

        @Mixin
        DataOptions dataOptions;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            if (data.equals("shapes") || data.startsWith("shapes:") || ImageFolderReader.holdsImages(Path.of(data))) {
                return colour();
            }
            DatasetSummary s = DatasetSummary.of(DatasetLoader.load(data, dataOptions.partition()));
            String human = String.format(Locale.ROOT, """
                    %s
                      format:           %s
                      source:           %s
                      pixel convention: %s -> internal [-1, 1], background -1
                      writers:          %d (examples per writer: min %d, median %.1f, max %d)
                      examples:         %d
                      classes:          %d %s
                      mean pixel:       %.3f (%s)
                      fingerprint:      %s""",
                    s.name(), s.format(), s.source(), s.pixelConvention(), s.writers(), s.smallestWriter(), s.medianWriter(),
                    s.largestWriter(), s.examples(), s.classes(), java.util.Arrays.toString(s.classCounts()), s.meanPixel(),
                    s.looksInverted() ? "looks INVERTED: light background" : "normal: dark background, light ink",
                    s.fingerprint());
            output.print(s, human);
            return 0;
        }

        private Integer colour() {
            ColourImages d;
            String layout;
            if (data.startsWith("shapes")) {
                int n;
                try {
                    n = data.equals("shapes") ? 256 : Integer.parseInt(data.substring("shapes:".length()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("shapes:N needs a number of images, got '" + data + "'");
                }
                d = ColourShapes.generate(n, Math.max(1, n / 16), side, 1);
                layout = "generated";
            } else {
                Path dir = Path.of(data);
                layout = ImageFolderReader.isCeleba(dir) ? "celeba" : "folder";
                d = ImageFolderReader.read(dir, side, 0);
            }
            ColourSummary s = ColourSummary.of(d, layout);
            if (preview != null) {
                int count = Math.min(64, d.size());
                int cols = Math.min(8, count);
                int rows = count / cols;
                ImageGrid.writePng(ImageGrid.colourGrid(d.pixels(), side, rows, cols), preview);
            }
            String human = String.format(Locale.ROOT, """
                    %s
                      layout:           %s
                      images:           %d, %dx%d RGB -> internal [-1, 1]
                      clients:          %d (images per client: min %d, median %.1f, max %d)
                      channel means:    R %.3f, G %.3f, B %.3f
                      attributes:       %s%s
                      fingerprint:      %s%s""",
                    s.name(), s.layout(), s.images(), s.side(), s.side(), s.clients(), s.smallestClient(),
                    s.medianClient(), s.largestClient(), s.channelMeans()[0], s.channelMeans()[1], s.channelMeans()[2],
                    s.attributes().isEmpty() ? "none" : s.attributes().size() + " " + s.attributes(),
                    s.partition() ? " (with the evaluation partition)" : "", s.fingerprint(),
                    preview == null ? "" : "\n  preview:          " + preview);
            output.print(s, human);
            return 0;
        }
    }
}
