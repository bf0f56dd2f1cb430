package org.mailgateway.admin.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI description (served at /q/openapi): every operation needs the bearer API key. */
@OpenAPIDefinition(info = @Info(title = "Mail gateway admin API", version = "1"),
        security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The admin API key: GATEWAY_ADMIN_KEY, or the one generated into <data dir>/admin-api-key")
public class AdminApiApplication extends Application {
}
