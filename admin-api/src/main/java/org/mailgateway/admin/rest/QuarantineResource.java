package org.mailgateway.admin.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.QuarantineService;
import org.mailgateway.admin.service.RawMessage;

/** HTTP in, {@link QuarantineService} call, HTTP out. */
@Path("/api/v1/quarantine")
@Tag(name = "Quarantine", description = "Messages the policy service held back: search, read, download, release, delete")
@RolesAllowed(Roles.VIEWER)
public class QuarantineResource {

    private final QuarantineService quarantine;

    public QuarantineResource(QuarantineService quarantine) {
        this.quarantine = quarantine;
    }

    /** The search filter as query parameters. */
    public static class SearchParams {
        @QueryParam("ip") @Parameter(description = "client address or CIDR", example = "203.0.113.0/24")
        public String ip;
        @QueryParam("helo") @Parameter(description = "part of the HELO name, any case", example = "love-")
        public String helo;
        @QueryParam("sender") @Parameter(description = "part of the envelope sender, any case", example = "@spam.example")
        public String sender;
        @QueryParam("recipient") @Parameter(description = "part of any envelope recipient, any case", example = "postmaster@")
        public String recipient;
        @QueryParam("rule") @Parameter(description = "a rule that hit, by its exact name", example = "RELAY_ATTEMPTS")
        public String rule;
        @QueryParam("minScore") @Parameter(description = "lowest total score", example = "10")
        public String minScore;
        @QueryParam("since") @Parameter(description = "received at or after (ISO-8601)", example = "2026-11-28T00:00:00Z")
        public String since;
        @QueryParam("until") @Parameter(description = "received before (ISO-8601)", example = "2026-11-29T00:00:00Z")
        public String until;

        QuarantineService.Search search() {
            return new QuarantineService.Search(ip, helo, sender, recipient, rule, minScore, since, until);
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A page of quarantined messages, newest first; follow nextCursor for the next page",
            description = "Filters combine with AND. The cursor is stable under new arrivals: a page never repeats or "
                    + "skips a message because mail arrived meanwhile.")
    @APIResponse(responseCode = "200", description = "a page", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "page", value = """
                    {"items": [{"id": "01JDQ4Z8R6V2K9M3N5P7Q1S3T5", "receivedAt": "2026-11-28T10:15:02.123456Z",
                      "clientIp": "203.0.113.7", "heloName": "love-123.example", "mailFrom": "a@spam.example",
                      "recipients": ["info@example.test"], "subject": "Cheap stuff", "size": 2048, "score": 12.5,
                      "rules": ["RELAY_ATTEMPTS", "HELO_ROTATION"]}],
                     "nextCursor": "MTc2NDMyNDkwMjEyMzQ1NjowMUpEUTRaOFI2VjJLOU0zTjVQN1ExUzNUNQ"}""")))
    public Uni<QuarantineService.Page> list(@BeanParam SearchParams search,
            @Parameter(description = "page size (default 50, at most 500)") @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor from the previous page") @QueryParam("cursor") String cursor) {
        return quarantine.page(search.search(), limit, cursor);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One quarantined message: envelope, the rule hits that held it, its headers, a text preview",
            description = "The preview decodes each MIME part (transfer encoding, charset); HTML is reduced to its text, "
                    + "never rendered. It reads at most the first megabyte of a message and shows at most 20,000 characters.")
    @APIResponse(responseCode = "200", description = "the message", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "message", value = """
                    {"id": "01JDQ4Z8R6V2K9M3N5P7Q1S3T5",
                     "envelope": {"messageId": "01JDQ4Z8R6V2K9M3N5P7Q1S3T5", "receivedAt": "2026-11-28T10:15:02.123456Z",
                       "clientIp": "203.0.113.7", "heloName": "love-123.example", "protocol": "ESMTP",
                       "mailFrom": "a@spam.example", "recipients": ["info@example.test"], "size": 2048, "ingress": "ingress-1"},
                     "score": 12.5, "threshold": 5.0,
                     "hits": [{"rule": "HELO_ROTATION", "score": 7.5, "reason": "12 HELO names from 203.0.113.7 in 10 minutes"}],
                     "decidedAt": "2026-11-28T10:15:02.300Z", "size": 2048,
                     "headers": [{"name": "Subject", "value": "Cheap stuff"}],
                     "parts": [{"contentType": "text/plain", "filename": null, "disposition": null, "size": 120,
                       "text": "Buy now", "textCut": false}],
                     "previewIncomplete": false}""")))
    public Uni<QuarantineService.QuarantinedMessage> get(@PathParam("id") String id) {
        return quarantine.message(id);
    }

    @GET
    @Path("/{id}/raw")
    @Produces("message/rfc822")
    @Operation(summary = "The message exactly as received, as a .eml file (streamed)")
    @APIResponse(responseCode = "200", description = "the bytes, Content-Disposition: attachment; filename=\"<id>.eml\"",
            content = @Content(mediaType = "message/rfc822"))
    public Multi<byte[]> raw(@PathParam("id") String id) {
        return RestMulti.fromUniResponse(quarantine.raw(id), RawMessage::bytes, RawMessage::downloadHeaders);
    }

    @POST
    @Path("/{id}/release")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Release a message for delivery to its recipients (operator role)",
            description = "The message leaves the quarantine and every recipient is queued; the key's name is kept as who "
                    + "released it. 404 if it is not (or no longer) in quarantine.")
    @APIResponse(responseCode = "200", description = "released", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "released", value = "{\"id\": \"01JDQ4Z8R6V2K9M3N5P7Q1S3T5\", \"recipientsQueued\": 2}")))
    public Uni<QuarantineService.Released> release(@PathParam("id") String id, @Context SecurityIdentity caller) {
        return quarantine.release(id, caller.getPrincipal().getName());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete a message from the quarantine, bytes and all (operator role)")
    @APIResponse(responseCode = "204", description = "deleted")
    public Uni<Void> delete(@PathParam("id") String id) {
        return quarantine.delete(id);
    }

    @POST
    @Path("/bulk")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Release or delete every message a filter selects; a dry run (the default) only counts (operator role)",
            description = "Send it first with \"dryRun\": true to see how many match, then with \"dryRun\": false. One call "
                    + "touches at most 10,000 messages (gateway.admin.max-bulk-size): a filter that selects more is refused "
                    + "with 400; narrow it, e.g. with since/until.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "delete a flood",
            value = "{\"filter\": {\"ip\": \"203.0.113.0/24\", \"rule\": \"RELAY_ATTEMPTS\"}, \"action\": \"delete\", \"dryRun\": true}")))
    @APIResponse(responseCode = "200", description = "what matched and what was done", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "dry run", value = """
                    {"action": "delete", "dryRun": true, "matched": 412, "affected": 0, "recipientsQueued": 0}""")))
    public Uni<QuarantineService.BulkOutcome> bulk(QuarantineService.BulkRequest request, @Context SecurityIdentity caller) {
        return quarantine.bulk(request, caller.getPrincipal().getName());
    }
}
