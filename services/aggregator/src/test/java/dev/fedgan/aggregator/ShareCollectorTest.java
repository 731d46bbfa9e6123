package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.aggregator.ShareCollector.Arrival;
import dev.fedgan.aggregator.ShareCollector.Share;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.RoundShare;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundClosing;
import dev.fedgan.protocol.RoundOpened;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A shard's rules without a broker: records are strings naming themselves, deltas are made up. The point: a share
 * counts each client once, cuts at the closing, holds its records until sent, and a partition read again from its
 * last acknowledged record (the next holder's view after a crash) gives the same share, bit for bit.
 */
class ShareCollectorTest {

    private static final int LENGTH = 5;
    private static final ObjectRef REF = new ObjectRef("fedgan", "k", 1, "0".repeat(64));

    private static RoundOpened opened(int round, String plan, String... clients) {
        return new RoundOpened(Messages.SCHEMA, "e1", "high", round, plan, List.of(clients), 0.5, LENGTH);
    }

    private static ClientUpdateReady update(int round, String client) {
        return ClientUpdateReady.builder().experimentId("e1").gan("high").round(round).clientId(client).delta(REF)
                .realExamples(10).steps(2).nonFinite(false).loss(0.5).build();
    }

    private static float[] delta(String client) {
        float[] d = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            d[i] = (client.hashCode() % 7 + i) * 0.013f;
        }
        return d;
    }

    /** What the shard does with an expected update: adds its delta, then reports it answered. */
    private static boolean add(ShareCollector<String> c, int partition, ClientUpdateReady u, String record) {
        assertEquals(Arrival.EXPECTED, c.arrive(partition, u));
        Share<String> share = c.share(partition, "e1.high");
        share.sum.add(new ClientUpdate(u.clientId(), u.round(), delta(u.clientId()), 10, 2, false, 0.5));
        return c.answered(share, u.clientId(), record);
    }

    private static byte[] bytes(RoundShare share) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        share.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void aShareCountsItsPlansClientsOnceAndIsCompleteWhenAllAnswered() {
        ShareCollector<String> c = new ShareCollector<>();
        c.assigned(Set.of(0, 1));
        assertEquals(List.of(), c.open(1, opened(3, "p1", "a", "b"), "opened"));
        assertEquals(Arrival.UNEXPECTED, c.arrive(0, update(3, "a")), "another partition: no share open there");
        assertEquals(Arrival.LATE, c.arrive(1, update(2, "a")), "another round");
        assertEquals(Arrival.LATE, c.arrive(1, update(3, "z")), "not in the plan");
        assertFalse(add(c, 1, update(3, "a"), "a"));
        assertEquals(Arrival.DUPLICATE, c.arrive(1, update(3, "a")));
        Share<String> share = c.share(1, "e1.high");
        assertTrue(c.answered(share, "b", null), "b rejected: answered with nothing, and the share complete");
        assertEquals(1, share.rejected());
        assertEquals(2, share.late(), "the other round's and the outsider's");
        assertEquals(List.of("opened", "a"), c.sent(share), "the records it held, the rejected one not among them");
        assertEquals(0, c.openShares());
        assertEquals(Arrival.UNEXPECTED, c.arrive(1, update(3, "b")), "after its share went");
    }

    @Test
    void aClosingSendsTheShareWithTheUpdatesBeforeIt() {
        ShareCollector<String> c = new ShareCollector<>();
        c.assigned(Set.of(0));
        c.open(0, opened(0, "p1", "a", "b", "c"), "opened");
        add(c, 0, update(0, "a"), "a");
        assertNull(c.closing(0, new RoundClosing(Messages.SCHEMA, "e1", "high", 0, "p0"), "old"), "another plan's");
        Share<String> closed = c.closing(0, new RoundClosing(Messages.SCHEMA, "e1", "high", 0, "p1"), "closing");
        assertEquals(Set.of("a"), closed.sum.clients());
        assertEquals(List.of("opened", "a", "closing"), c.sent(closed));
        assertNull(c.closing(0, new RoundClosing(Messages.SCHEMA, "e1", "high", 0, "p1"), "again"),
                "sent already: acknowledge it");
    }

    @Test
    void aRedrawnPlanReplacesTheUnsentShareAndReleasesItsRecords() {
        ShareCollector<String> c = new ShareCollector<>();
        c.assigned(Set.of(0));
        c.open(0, opened(4, "p1", "a", "b"), "opened-1");
        add(c, 0, update(4, "a"), "a-1");
        assertEquals(List.of("opened-1", "a-1"), c.open(0, opened(4, "p2", "a", "c"), "opened-2"));
        assertEquals(Arrival.EXPECTED, c.arrive(0, update(4, "a")), "a is in the new plan: asked again");
        assertEquals(Arrival.LATE, c.arrive(0, update(4, "b")), "b is not");
    }

    @Test
    void aPartitionReadAgainFromItsLastAcknowledgedRecordGivesTheSameShare() throws IOException {
        // Partition 2 carries: a's late update of the previous round, the plan, three updates (one twice), the
        // closing. The first holder acknowledges the late record, holds the rest, and dies before sending.
        List<Object> partition = List.of(update(6, "a"), opened(7, "p9", "a", "b", "c", "d"), update(7, "c"),
                update(7, "a"), update(7, "c"), update(7, "b"), new RoundClosing(Messages.SCHEMA, "e1", "high", 7, "p9"));
        ShareCollector<String> first = new ShareCollector<>();
        first.assigned(Set.of(2));
        List<String> acked = new ArrayList<>();
        Share<String> sent = null;
        for (int offset = 0; offset < partition.size(); offset++) {
            sent = read(first, partition.get(offset), "r" + offset, acked);
        }
        assertEquals(List.of("r0", "r4"), acked, "the unexpected update and the duplicate only");
        byte[] before = bytes(sent.sum);
        assertEquals(1, first.revoked(Set.of(2)), "the holder dies: its share is dropped, nothing acknowledged");
        assertEquals(Arrival.NOT_HELD, first.arrive(2, update(7, "d")), "a record still in flight is left alone");
        // The next holder reads from the first unacknowledged record (the plan), in the same order.
        ShareCollector<String> next = new ShareCollector<>();
        next.assigned(Set.of(2));
        Share<String> again = null;
        for (int offset = 1; offset < partition.size(); offset++) {
            again = read(next, partition.get(offset), "r" + offset, new ArrayList<>());
        }
        assertArrayEquals(before, bytes(again.sum), "the same share, to the bit");
        assertEquals(Set.of("a", "b", "c"), again.sum.clients(), "d did not answer before the closing");
        assertEquals(List.of("r1", "r2", "r3", "r5", "r6"), next.sent(again));
    }

    /** One record as the shard reads it: returns the share to send, if any. */
    private static Share<String> read(ShareCollector<String> c, Object record, String name, List<String> acked) {
        if (record instanceof RoundOpened o) {
            c.open(2, o, name);
        } else if (record instanceof RoundClosing cl) {
            return c.closing(2, cl, name);
        } else {
            ClientUpdateReady u = (ClientUpdateReady) record;
            if (c.arrive(2, u) == Arrival.EXPECTED) {
                Share<String> share = c.share(2, "e1.high");
                share.sum.add(new ClientUpdate(u.clientId(), u.round(), delta(u.clientId()), 10, 2, false, 0.5));
                c.answered(share, u.clientId(), name);
            } else {
                acked.add(name);
            }
        }
        return null;
    }

    @Test
    void thePlanReadAgainAfterARebalanceReplacesItsShareWithoutReleasingItsRecords() {
        ShareCollector<String> c = new ShareCollector<>();
        c.assigned(Set.of(0));
        c.open(0, opened(2, "p1", "a", "b"), "opened");
        add(c, 0, update(2, "a"), "a");
        assertEquals(List.of(), c.open(0, opened(2, "p1", "a", "b"), "opened again"),
                "the same records come again: the old deliveries are not acknowledged");
        assertEquals(Arrival.EXPECTED, c.arrive(0, update(2, "a")), "a counts in the share built again");
    }

    @Test
    void aPartitionNotHeldOpensNothing() {
        ShareCollector<String> c = new ShareCollector<>();
        c.assigned(Set.of(0));
        assertEquals(List.of(), c.open(1, opened(0, "p1", "a"), "opened"));
        assertNull(c.share(1, "e1.high"));
        assertEquals(0, c.openShares());
    }
}
