/// The OpenAPI 3.1 description of the staff API, served at `/openapi.json`. A test checks that it lists exactly
/// the routes `APIRoutes` serves and that openapi-spec-validator accepts it.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Retreat staff API",
            "version": "1.0.0",
            "description": "What the retreat CLI does, over HTTP, through the same use cases. Send `Authorization: Bearer TOKEN` (create one with `retreat tokens create --role staff|read-only`). GET needs any role; POST needs the staff role. Errors carry the CLI's exit-code meanings: 400 bad input (exit 64), 404 not found, 409 conflict (exit 3: the dates are taken or not available), 422 the booking's state refuses the change."
          },
          "servers": [{ "url": "/" }],
          "security": [{ "bearer": [] }],
          "paths": {
            "/api/availability": {
              "get": {
                "operationId": "availability",
                "summary": "Free start dates (retreat availability)",
                "parameters": [
                  { "name": "from", "in": "query", "required": true, "schema": { "$ref": "#/components/schemas/Date" } },
                  { "name": "to", "in": "query", "required": true, "schema": { "$ref": "#/components/schemas/Date" } },
                  { "name": "resource", "in": "query", "required": false, "schema": { "type": "string" } }
                ],
                "responses": {
                  "200": { "description": "Free starts", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Slot" } } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" }
                }
              }
            },
            "/api/check/{date}": {
              "get": {
                "operationId": "check",
                "summary": "Whether an intensive can start on a date, and every reason if not (retreat check)",
                "parameters": [
                  { "name": "date", "in": "path", "required": true, "schema": { "$ref": "#/components/schemas/Date" } },
                  { "name": "resource", "in": "query", "required": false, "schema": { "type": "string" } }
                ],
                "responses": {
                  "200": { "description": "The answer per resource", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Check" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" }
                }
              }
            },
            "/api/bookings": {
              "get": {
                "operationId": "list",
                "summary": "Bookings by start date (retreat list)",
                "parameters": [
                  { "name": "from", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/Date" } },
                  { "name": "to", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/Date" } },
                  { "name": "status", "in": "query", "required": false, "style": "form", "explode": true,
                    "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Status" } } },
                  { "name": "owing", "in": "query", "required": false, "schema": { "type": "boolean" } },
                  { "name": "depositOverdue", "in": "query", "required": false, "schema": { "type": "boolean" } },
                  { "name": "with-priorities", "in": "query", "required": false, "schema": { "type": "boolean" },
                    "description": "Include each booking's priority issues (clinical, so left out unless asked for)" }
                ],
                "responses": {
                  "200": { "description": "Bookings", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Booking" } } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" }
                }
              },
              "post": {
                "operationId": "book",
                "summary": "Book or hold an intensive (retreat book)",
                "parameters": [
                  { "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 },
                    "description": "Like --request-id: the same request with the same key returns the first booking." }
                ],
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BookRequest" } } }
                },
                "responses": {
                  "201": { "description": "Booked or held", "headers": { "Location": { "schema": { "type": "string" } } },
                           "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "200": { "description": "The same request was made before with this key: its booking", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            },
            "/api/bookings/{id}": {
              "get": {
                "operationId": "show",
                "summary": "One booking with its contact, note, payments and history (retreat show)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "responses": {
                  "200": { "description": "The booking", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Show" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" }
                }
              }
            },
            "/api/bookings/{id}/confirm": {
              "post": {
                "operationId": "confirm",
                "summary": "Confirm a hold (retreat confirm)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "responses": {
                  "200": { "description": "Confirmed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            },
            "/api/bookings/{id}/cancel": {
              "post": {
                "operationId": "cancel",
                "summary": "Cancel a booking; the refund its policy tier gives is recorded (retreat cancel)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "requestBody": {
                  "required": false,
                  "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string", "maxLength": 4000 } } } } }
                },
                "responses": {
                  "200": { "description": "Cancelled", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            },
            "/api/bookings/{id}/reschedule": {
              "post": {
                "operationId": "reschedule",
                "summary": "Move a booking (same id; SEQUENCE goes up) (retreat reschedule)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "type": "object", "required": ["start"],
                    "properties": { "start": { "$ref": "#/components/schemas/Date" }, "resource": { "type": "string" } } } } }
                },
                "responses": {
                  "200": { "description": "Moved", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            },
            "/api/bookings/{id}/payments": {
              "post": {
                "operationId": "pay",
                "summary": "Record a payment or refund, or void one (retreat pay)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "type": "object",
                    "properties": {
                      "amount": { "type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$", "examples": ["1125.00"] },
                      "date": { "$ref": "#/components/schemas/Date" },
                      "note": { "type": "string", "maxLength": 4000 },
                      "refund": { "type": "boolean" },
                      "void": { "type": "integer", "format": "int64", "description": "A payment id to void instead" }
                    } } } }
                },
                "responses": {
                  "200": { "description": "The booking with its payments", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Booking" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            },
            "/api/bookings/{id}/agenda": {
              "get": {
                "operationId": "agenda",
                "summary": "The stored agenda of an intensive (retreat agenda --json)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "responses": {
                  "200": { "description": "The agenda", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Agenda" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" }
                }
              },
              "post": {
                "operationId": "plan",
                "summary": "Plan (or re-plan) the agenda, optionally with new ranked priorities (retreat agenda --replan --priority)",
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "requestBody": {
                  "required": false,
                  "content": { "application/json": { "schema": { "type": "object",
                    "properties": { "priorities": { "type": "array", "items": { "type": "string" } }, "replan": { "type": "boolean" } } } } }
                },
                "responses": {
                  "200": { "description": "The agenda", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Agenda" } } } },
                  "400": { "$ref": "#/components/responses/BadInput" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "503": { "$ref": "#/components/responses/Busy" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "422": { "$ref": "#/components/responses/Invalid" }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "bearer": { "type": "http", "scheme": "bearer", "description": "A token from `retreat tokens create`." }
            },
            "parameters": {
              "Id": { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "examples": ["B0001"] } }
            },
            "responses": {
              "BadInput": { "description": "A value is not acceptable (CLI exit 64)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Unauthorized": { "description": "No token, or an unknown or revoked one", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Forbidden": { "description": "A read-only token asked for a change", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "NotFound": { "description": "No such booking (CLI exit 1)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Conflict": { "description": "The dates are taken or not available (CLI exit 3)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Invalid": { "description": "The booking's state refuses the change (CLI exit 1)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "TooLarge": { "description": "The body is larger than 64 KiB", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Busy": { "description": "The store is busy with another change; try again after Retry-After seconds", "headers": { "Retry-After": { "schema": { "type": "integer" } } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            },
            "schemas": {
              "Date": { "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
              "Status": { "type": "string", "enum": ["held", "confirmed", "completed", "cancelled", "expired"] },
              "Slot": {
                "type": "object", "required": ["start", "end", "resource"],
                "properties": { "start": { "$ref": "#/components/schemas/Date" }, "end": { "$ref": "#/components/schemas/Date" }, "resource": { "type": "string" } }
              },
              "Rejection": {
                "type": "object", "required": ["reason", "days", "message"],
                "properties": {
                  "reason": { "type": "string" }, "resource": { "type": "string" },
                  "days": { "type": "array", "items": { "$ref": "#/components/schemas/Date" } }, "message": { "type": "string" }
                }
              },
              "Check": {
                "type": "object", "required": ["start", "available", "resources"],
                "properties": {
                  "start": { "$ref": "#/components/schemas/Date" }, "available": { "type": "boolean" },
                  "resources": { "type": "array", "items": { "type": "object", "required": ["resource", "available", "reasons"],
                    "properties": { "resource": { "type": "string" }, "available": { "type": "boolean" },
                      "reasons": { "type": "array", "items": { "$ref": "#/components/schemas/Rejection" } } } } }
                }
              },
              "BookRequest": {
                "type": "object", "required": ["couple", "start"],
                "properties": {
                  "couple": { "type": "string", "minLength": 1, "maxLength": 200 },
                  "start": { "$ref": "#/components/schemas/Date" },
                  "contact": { "type": "string", "description": "E-mail addresses, comma separated" },
                  "resource": { "type": "string" },
                  "priorities": { "type": "array", "items": { "type": "string" }, "description": "Most important first" },
                  "hold": { "type": "boolean" },
                  "price": { "type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$" },
                  "requestId": { "type": "string", "maxLength": 200 }
                }
              },
              "Booking": {
                "type": "object",
                "required": ["id", "couple", "start", "end", "status", "resource", "sequence", "priceCents", "depositCents", "depositDue", "paidCents", "balanceCents", "creditCents"],
                "properties": {
                  "id": { "type": "string" }, "couple": { "type": "string" },
                  "start": { "$ref": "#/components/schemas/Date" }, "end": { "$ref": "#/components/schemas/Date" },
                  "status": { "$ref": "#/components/schemas/Status" }, "resource": { "type": "string" }, "sequence": { "type": "integer" },
                  "priorities": { "type": "array", "items": { "type": "string" } },
                  "priceCents": { "type": "integer" }, "depositCents": { "type": "integer" }, "depositDue": { "$ref": "#/components/schemas/Date" },
                  "paidCents": { "type": "integer" }, "balanceCents": { "type": "integer" }, "creditCents": { "type": "integer" },
                  "holdExpiresAt": { "type": "string", "format": "date-time" },
                  "refundCents": { "type": "integer" }, "refundPercent": { "type": "integer" }, "cancellationReason": { "type": "string" },
                  "replayed": { "type": "boolean" }
                }
              },
              "Show": {
                "type": "object", "required": ["booking", "payments", "history"],
                "properties": {
                  "booking": { "$ref": "#/components/schemas/Booking" }, "contact": { "type": "string" }, "note": { "type": "string" },
                  "payments": { "type": "array", "items": { "type": "object" } },
                  "history": { "type": "array", "items": { "type": "object" } }
                }
              },
              "Agenda": {
                "type": "object", "required": ["days", "priorities", "score", "stale", "staleReason"],
                "properties": {
                  "priorities": { "type": "array", "items": { "type": "string" }, "description": "The ranking it was planned for, most important first" },
                  "score": { "type": "string", "description": "The score in words" },
                  "stale": { "type": "boolean" }, "staleReason": { "type": ["string", "null"] },
                  "days": { "type": "array", "items": { "type": "object", "required": ["blocks"],
                    "properties": { "date": { "$ref": "#/components/schemas/Date" },
                      "blocks": { "type": "array", "items": { "type": "object", "required": ["start", "end", "kind", "module", "priorities"],
                        "properties": { "start": { "type": "string" }, "end": { "type": "string" },
                          "kind": { "type": "string", "enum": ["session", "break", "lunch", "reflection"] },
                          "module": { "type": "string" }, "priorities": { "type": "array", "items": { "type": "string" } } } } } } } }
                }
              },
              "Error": {
                "type": "object", "required": ["error"],
                "properties": {
                  "error": { "type": "object", "required": ["kind", "message"],
                    "properties": {
                      "kind": { "type": "string", "enum": ["badInput", "invalid", "notFound", "conflict", "notInitialized", "incompatible", "io", "unauthorized", "forbidden", "busy", "tooLarge", "methodNotAllowed"] },
                      "message": { "type": "string" },
                      "rejections": { "type": "array", "items": { "$ref": "#/components/schemas/Rejection" } }
                    } }
                }
              }
            }
          }
        }
        """#
}
