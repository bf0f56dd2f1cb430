package org.mailgateway.admin.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.QueueService;
import org.mailgateway.admin.service.RawMessage;

/** HTTP in, {@link QueueService} call, HTTP out. */
@Path("/api/v1/queue")
@Tag(name = "Queue", description = "Mail waiting for its next hop: per destination, per message, retry now, remove")
@RolesAllowed(Roles.VIEWER)
public class QueueResource {

    private final QueueService queue;

    public QueueResource(QueueService queue) {
        this.queue = queue;
    }

    @GET
    @Path("/destinations")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every next hop with pending mail, the longest waiting first",
            description = "A destination whose queue empties disappears from the list. `(no route)` holds released mail "
                    + "not yet tried and recipients without a route.")
    @APIResponse(responseCode = "200", description = "the destinations", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "one stuck destination", value = """
                    [{"destination": "mx.example.test:25", "deferred": 42, "queued": 3, "messages": 40,
                      "oldest": "2026-11-28T06:01:12Z", "nextAttemptAt": "2026-11-28T10:20:00Z",
                      "lastAttemptAt": "2026-11-28T10:05:00Z", "lastError": "451 4.3.0 try again later"}]""")))
    public Uni<List<QueueService.Destination>> destinations() {
        return queue.destinations();
    }

    @GET
    @Path("/messages")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A page of messages in the queue, oldest first, with their recipients of that destination and state")
    @APIResponse(responseCode = "200", description = "a page", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "page", value = """
                    {"items": [{"id": "01JDQ4Z8R6V2K9M3N5P7Q1S3T5", "receivedAt": "2026-11-28T06:01:12Z",
                      "clientIp": "198.51.100.20", "mailFrom": "alice@partner.example", "subject": "Invoice", "size": 18211,
                      "deliveries": [{"recipient": "bob@example.test", "destination": "mx.example.test:25", "state": "DEFERRED",
                        "attempts": 7, "nextAttemptAt": "2026-11-28T10:20:00Z", "lastAttemptAt": "2026-11-28T10:05:00Z",
                        "lastReply": "451 4.3.0 try again later", "deliveredAt": null, "inDelivery": false}]}],
                     "nextCursor": null}""")))
    public Uni<QueueService.Page> messages(
            @Parameter(description = "next hop as listed by /queue/destinations", example = "mx.example.test:25")
            @QueryParam("destination") String destination,
            @Parameter(description = "pending (default: queued and deferred), queued, deferred, delivered, failed, expired")
            @QueryParam("state") String state,
            @Parameter(description = "page size (default 50, at most 500)") @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor from the previous page") @QueryParam("cursor") String cursor) {
        return queue.messages(destination, state, limit, cursor);
    }

    @GET
    @Path("/messages/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One message of the queue: envelope, every recipient's delivery, headers, a text preview")
    public Uni<QueueService.QueuedMessage> message(@PathParam("id") String id) {
        return queue.message(id);
    }

    @GET
    @Path("/messages/{id}/raw")
    @Produces("message/rfc822")
    @Operation(summary = "The message exactly as received, as a .eml file (streamed), while its bytes are kept")
    @APIResponse(responseCode = "200", description = "the bytes, Content-Disposition: attachment; filename=\"<id>.eml\"",
            content = @Content(mediaType = "message/rfc822"))
    public Multi<byte[]> raw(@PathParam("id") String id) {
        return RestMulti.fromUniResponse(queue.raw(id), RawMessage::bytes, RawMessage::downloadHeaders);
    }

    @POST
    @Path("/destinations/{destination}/flush")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Retry now: every pending recipient of the destination becomes due (operator role)",
            description = "queue-service's delivery loop takes them at its next round (within its poll interval). Recipients "
                    + "being delivered at this moment are left to that attempt.")
    @APIResponse(responseCode = "200", description = "flushed", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "flushed", value = "{\"destination\": \"mx.example.test:25\", \"recipientsDue\": 45, \"pending\": 45}")))
    public Uni<QueueService.Flushed> flush(@PathParam("destination") String destination) {
        return queue.flush(destination);
    }

    @DELETE
    @Path("/messages/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove a message from the queue (operator role)",
            description = "Its pending recipients become FAILED with \"removed from the queue by <key>\" as their last reply; "
                    + "its bytes are dropped. 409 while one of its recipients is being delivered (nothing is changed then).")
    @APIResponse(responseCode = "200", description = "removed", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "removed", value = """
                    {"target": "01JDQ4Z8R6V2K9M3N5P7Q1S3T5", "recipientsRemoved": 2, "messages": 1, "stillPending": 0}""")))
    public Uni<QueueService.Removed> removeMessage(@PathParam("id") String id, @Context SecurityIdentity caller) {
        return queue.removeMessage(id, caller.getPrincipal().getName());
    }

    @DELETE
    @Path("/destinations/{destination}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove all pending mail of one destination (operator role)",
            description = "As removing each message, except recipients being delivered right now: they are left to that "
                    + "attempt and counted in stillPending.")
    public Uni<QueueService.Removed> removeDestination(@PathParam("destination") String destination,
            @Context SecurityIdentity caller) {
        return queue.removeDestination(destination, caller.getPrincipal().getName());
    }
}
