package org.mailgateway.admin.rest;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Describes the errors of every operation under {@code /api/} in the OpenAPI document: each answers 401 and 403
 * (and 400, 404, 409 where they can happen) with an RFC 9457 problem ({@code application/problem+json}, schema
 * {@code Problem}). Endpoints need not repeat it; an operation's own description of a status wins.
 */
public class ProblemResponsesFilter implements OASFilter {

    private static final String PROBLEM = "application/problem+json";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents() : openAPI.getComponents();
        components.addSchema("Problem", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details")
                .addProperty("type", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)).example("about:blank"))
                .addProperty("title", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)).example("Bad Request"))
                .addProperty("status", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.INTEGER)).example(400))
                .addProperty("detail", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))
                        .example("limit: must be between 1 and 500")));
        openAPI.setComponents(components);
        if (openAPI.getPaths() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            boolean hasId = path.getKey().contains("{");
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : path.getValue().getOperations().entrySet()) {
                Operation operation = entry.getValue();
                APIResponses responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
                boolean mutating = entry.getKey() != PathItem.HttpMethod.GET;
                add(responses, "400", "a parameter or the body is out of bounds; the detail names it");
                add(responses, "401", "no API key, or not a valid one (WWW-Authenticate: Bearer)");
                add(responses, "403", "the API key's role may not do this");
                if (hasId || mutating) {
                    add(responses, "404", "nothing there (or no longer)");
                }
                add(responses, "500", "the request failed; the admin-api log has the cause");
                // an error an operation describes itself (e.g. a 409) is a problem too
                for (String status : java.util.List.copyOf(responses.getAPIResponses().keySet())) {
                    if (status.startsWith("4") || status.startsWith("5")) {
                        add(responses, status, null);
                    }
                }
                operation.setResponses(responses);
            }
        }
    }

    /** Adds the problem response, or its problem body to one that is described without a body (Quarkus adds 401/403). */
    private static void add(APIResponses responses, String status, String description) {
        APIResponse response = responses.getAPIResponse(status);
        if (response == null) {
            response = OASFactory.createAPIResponse().description(description);
            responses.addAPIResponse(status, response);
        }
        if (response.getContent() == null || response.getContent().getMediaTypes().isEmpty()) {
            response.content(OASFactory.createContent().addMediaType(PROBLEM, OASFactory.createMediaType()
                    .schema(OASFactory.createSchema().ref("#/components/schemas/Problem"))));
        }
    }
}
