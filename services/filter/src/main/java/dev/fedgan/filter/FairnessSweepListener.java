package dev.fedgan.filter;

import dev.fedgan.core.data.DataRoots;
import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.FedganConfig;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code fairness-sweeps} → {@code fairness-points}: per {@link FairnessSweepRequest}, {@link FairnessSweeps#submit}
 * (the sweep checked against its data before any training, then stored), then one {@link FairnessPointTask} per
 * point not yet stored, keyed by sweep and point so that the points spread over the partitions and the workers,
 * each waited for until the broker has it. A sweep that cannot run (malformed, absurd options, unreadable data, an
 * id used by another sweep) is dead-lettered with the reason.
 */
@ApplicationScoped
public class FairnessSweepListener {

    private static final Logger LOG = Logger.getLogger(FairnessSweepListener.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final FairnessSweeps sweeps;
    private final DataRoots roots;
    private final DeadLetters deadLetters;
    private final Emitter<String> points;

    public FairnessSweepListener(ObjectStore objects, DeadLetters deadLetters,
            @Channel("fairness-points") Emitter<String> points, FedganConfig config) {
        this.sweeps = new FairnessSweeps(objects);
        this.roots = config.data().dataRoots();
        this.deadLetters = deadLetters;
        this.points = points;
    }

    @Incoming("fairness-sweeps")
    @Blocking
    public void process(String message) {
        try {
            FairnessSweepRequest request = Messages.decode(message, FairnessSweepRequest.class);
            List<FairnessPointTask> tasks = sweeps.submit(request, roots);
            for (FairnessPointTask t : tasks) {
                Sent.keyedAndWait(points, t.experimentId() + "/" + t.point(), Messages.encode(t), SEND_TIMEOUT_SECONDS,
                        "point task " + t.point() + " of sweep " + t.experimentId());
            }
            LOG.infof("fairness sweep %s: %d point tasks sent", request.experimentId(), tasks.size());
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-sweeps", e);
        }
    }
}
