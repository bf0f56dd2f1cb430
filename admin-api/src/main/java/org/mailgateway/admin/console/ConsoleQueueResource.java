package org.mailgateway.admin.console;

import static org.mailgateway.admin.console.ConsoleQuarantineResource.blankToNull;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestMulti;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.QueueService;
import org.mailgateway.admin.service.RawMessage;

/** Console pages over {@link QueueService}: destinations with waiting mail, their messages, retry now, remove. */
@Path("/console/queue")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class ConsoleQueueResource {

    private final QueueService queue;
    private final Console console;

    public ConsoleQueueResource(QueueService queue, Console console) {
        this.queue = queue;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> destinations(@Context SecurityIdentity caller) {
        return console.ui(caller, "queue", "Queue: destinations with waiting mail")
                .chain(ui -> queue.destinations().map(destinations -> Pages.destinations(ui, destinations)));
    }

    @GET
    @Path("/messages")
    public Uni<TemplateInstance> messages(@QueryParam("destination") String destination, @QueryParam("cursor") String cursor,
            @Context SecurityIdentity caller) {
        String hop = blankToNull(destination);
        return console.ui(caller, "queue", hop == null ? "Queue: all waiting messages" : "Queue: " + hop)
                .chain(ui -> queue.messages(hop, null, null, blankToNull(cursor)).map(page -> Pages.queueMessages(ui, hop, page,
                        page.nextCursor() == null ? null : Console.ROOT + "/queue/messages?destination=" + Console.query(hop)
                                + "&cursor=" + Console.query(page.nextCursor()))));
    }

    @GET
    @Path("/messages/{id}")
    public Uni<TemplateInstance> message(@PathParam("id") String id, @Context SecurityIdentity caller) {
        return console.ui(caller, "queue", "Queued message")
                .chain(ui -> queue.message(id).map(m -> Pages.queueMessage(ui, m)));
    }

    @GET
    @Path("/messages/{id}/raw")
    @Produces("message/rfc822")
    public Multi<byte[]> raw(@PathParam("id") String id) {
        return RestMulti.fromUniResponse(queue.raw(id), RawMessage::bytes, RawMessage::downloadHeaders);
    }

    @POST
    @Path("/flush")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> flush(@FormParam("destination") String destination, @FormParam("csrf") String csrf,
            @Context SecurityIdentity caller, @Context ContainerRequestContext request) {
        Console.audit(request, "destination", destination);
        console.checkCsrf(caller, csrf);
        return queue.flush(destination).chain(flushed -> console.done(caller, "Retrying " + flushed.destination() + " now: "
                + flushed.recipientsDue() + " recipients due.", Console.ROOT + "/queue"));
    }

    @POST
    @Path("/delete-destination")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> removeDestination(@FormParam("destination") String destination, @FormParam("csrf") String csrf,
            @Context SecurityIdentity caller, @Context ContainerRequestContext request) {
        Console.audit(request, "destination", destination);
        console.checkCsrf(caller, csrf);
        return queue.removeDestination(destination, caller.getPrincipal().getName()).chain(removed -> console.done(caller,
                "Removed " + removed.recipientsRemoved() + " recipients of " + removed.messages() + " messages from "
                        + removed.target() + (removed.stillPending() > 0 ? "; " + removed.stillPending()
                                + " are being delivered right now and stay" : "") + ".",
                Console.ROOT + "/queue"));
    }

    @POST
    @Path("/messages/{id}/delete")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> removeMessage(@PathParam("id") String id, @FormParam("csrf") String csrf,
            @Context SecurityIdentity caller) {
        console.checkCsrf(caller, csrf);
        return queue.removeMessage(id, caller.getPrincipal().getName()).chain(removed -> console.done(caller,
                "Removed " + id + " from the queue (" + removed.recipientsRemoved() + " recipients).", Console.ROOT + "/queue"));
    }
}
