/// The API's contract, OpenAPI 3.1, written by hand and served at `/api/v1/openapi.json`; schemathesis checks the
/// running server against it (scripts/api-contract.sh). Keep it in step with the routes.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Keyway HTTP API",
  "version": "1.0.0",
  "description": "The authenticated HTTP API of one Keyway site, served by `keyway serve` (docs/api.md). Errors are {\"error\": {\"code\", \"message\"}}. Request bodies are at most 16 KiB."
 },
 "security": [
  {
   "bearer": []
  },
  {
   "session": []
  }
 ],
 "paths": {
  "/api/v1/openapi.json": {
   "get": {
    "operationId": "getOpenAPI",
    "summary": "This document.",
    "responses": {
     "200": {
      "description": "The OpenAPI document.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    },
    "security": []
   }
  },
  "/api/v1/session": {
   "post": {
    "operationId": "login",
    "summary": "Log in with e-mail and password: sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token that changes made with the cookie must send as X-CSRF-Token. Rate-limited per account and per address (429 with Retry-After).",
    "responses": {
     "201": {
      "description": "Logged in.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      },
      "headers": {
       "Set-Cookie": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Login"
       }
      }
     }
    }
   },
   "get": {
    "operationId": "getSession",
    "summary": "Who is calling, with which role.",
    "responses": {
     "200": {
      "description": "The caller.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   },
   "delete": {
    "operationId": "logout",
    "summary": "End this browser session; it is refused at once afterwards.",
    "responses": {
     "204": {
      "description": "Logged out."
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/password": {
   "post": {
    "operationId": "setPassword",
    "summary": "Set an account's password with its one-time link's token (12 to 72 bytes).",
    "responses": {
     "200": {
      "description": "The account.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SetPassword"
       }
      }
     }
    }
   }
  },
  "/api/v1/users": {
   "get": {
    "operationId": "listUsers",
    "summary": "Every account (admin).",
    "responses": {
     "200": {
      "description": "Accounts.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/User"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   },
   "post": {
    "operationId": "addUser",
    "summary": "Add an account (admin); returns its one-time set-password link.",
    "responses": {
     "201": {
      "description": "Added.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedUser"
        }
       }
      },
      "links": {
       "changeUser": {
        "operationId": "changeUser",
        "parameters": {
         "id": "$response.body#/user/id"
        }
       },
       "makePasswordLink": {
        "operationId": "makePasswordLink",
        "parameters": {
         "id": "$response.body#/user/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewUser"
       },
       "example": {
        "email": "desk@example.org",
        "name": "Front desk",
        "role": "staff"
       }
      }
     }
    }
   }
  },
  "/api/v1/users/{id}/password-link": {
   "post": {
    "operationId": "makePasswordLink",
    "summary": "A new one-time set-password link for an account (admin); earlier unused links stop working.",
    "responses": {
     "201": {
      "description": "The link, shown once.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PasswordLink"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath"
     }
    ]
   }
  },
  "/api/v1/users/{id}": {
   "patch": {
    "operationId": "changeUser",
    "summary": "Disable or enable an account, or change its role or person (admin); disabling ends its sessions, a new role applies to its sessions and tokens at once. An admin cannot disable or re-role their own account.",
    "responses": {
     "200": {
      "description": "The account.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UserChange"
       },
       "example": {
        "disabled": false
       }
      }
     }
    }
   }
  },
  "/api/v1/tokens": {
   "get": {
    "operationId": "listTokens",
    "summary": "The caller's API tokens (all=true: every account's, admin).",
    "responses": {
     "200": {
      "description": "Tokens.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Token"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "all",
      "in": "query",
      "required": false,
      "description": "Every account's tokens (admin).",
      "schema": {
       "enum": [
        "true",
        "false"
       ]
      }
     }
    ]
   },
   "post": {
    "operationId": "createToken",
    "summary": "Create an API token with a role at most the caller's, optionally limited to doors; its secret is shown once.",
    "responses": {
     "201": {
      "description": "Created.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedToken"
        }
       }
      },
      "links": {
       "revokeToken": {
        "operationId": "revokeToken",
        "parameters": {
         "id": "$response.body#/token/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewToken"
       },
       "example": {
        "name": "door panel",
        "role": "staff",
        "doors": [
         "Front"
        ]
       }
      }
     }
    }
   }
  },
  "/api/v1/tokens/{id}": {
   "delete": {
    "operationId": "revokeToken",
    "summary": "Revoke one of the caller's tokens (admin: any); refused at once afterwards.",
    "responses": {
     "200": {
      "description": "The revoked token.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Token"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The token's id.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     }
    ]
   }
  },
  "/api/v1/doors": {
   "get": {
    "operationId": "listDoors",
    "summary": "The doors with their live state (a resident: the doors of their keys).",
    "responses": {
     "200": {
      "description": "Doors.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Door"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/doors/{door}/unlock": {
   "post": {
    "operationId": "unlockDoor",
    "summary": "Present a digital key (a share link's token) or, logged in, your own key at a door: decided and acted on as a card at its reader (rules, schedules, lockdown, logged before the relay moves). Rate-limited per key.",
    "responses": {
     "200": {
      "description": "The door's decision.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UnlockResult"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "security": [
     {},
     {
      "bearer": []
     },
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Unlock"
       }
      }
     }
    }
   }
  },
  "/api/v1/doors/{door}/lockdown": {
   "post": {
    "operationId": "lockdownDoor",
    "summary": "Put a door in lockdown (staff, admin), as `keyway door lockdown`: no credential opens it, a timed unlock is refused, until it is set back to normal. Logged with the caller.",
    "responses": {
     "200": {
      "description": "What the door did.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DoorCommandResult"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ]
   }
  },
  "/api/v1/doors/{door}/normal": {
   "post": {
    "operationId": "normalDoor",
    "summary": "Set a door back to its configured mode, ending a lockdown (admin only), as `keyway door normal`. Logged with the caller.",
    "responses": {
     "200": {
      "description": "What the door did.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DoorCommandResult"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ]
   }
  },
  "/api/v1/doors/{door}/timed-unlock": {
   "post": {
    "operationId": "timedUnlockDoor",
    "summary": "Release a door's strike for a number of seconds (staff, admin), as `keyway door unlock --for`; refused (409) during lockdown.",
    "responses": {
     "200": {
      "description": "What the door did.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DoorCommandResult"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/TimedUnlock"
       },
       "example": {
        "seconds": 5
       }
      }
     }
    }
   }
  },
  "/api/v1/keys": {
   "get": {
    "operationId": "listKeys",
    "summary": "Digital keys: mine (their person's, or issued by them) or all (staff, admin).",
    "responses": {
     "200": {
      "description": "Keys.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Credential"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "scope",
      "in": "query",
      "required": false,
      "description": "Whose keys (default: all for staff, mine for residents).",
      "schema": {
       "enum": [
        "mine",
        "all"
       ]
      }
     },
     {
      "name": "active",
      "in": "query",
      "required": false,
      "description": "Only keys active now.",
      "schema": {
       "enum": [
        "true",
        "false"
       ]
      }
     },
     {
      "$ref": "#/components/parameters/Limit"
     },
     {
      "$ref": "#/components/parameters/After"
     }
    ]
   },
   "post": {
    "operationId": "issueKey",
    "summary": "Issue a digital key to a person (staff, admin); its token and link are shown once.",
    "responses": {
     "201": {
      "description": "Issued.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IssuedKey"
        }
       }
      },
      "links": {
       "getKey": {
        "operationId": "getKey",
        "parameters": {
         "id": "$response.body#/key/id"
        }
       },
       "shareKey": {
        "operationId": "shareKey",
        "parameters": {
         "id": "$response.body#/key/id"
        }
       },
       "revokeKey": {
        "operationId": "revokeKey",
        "parameters": {
         "id": "$response.body#/key/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewKey"
       },
       "example": {
        "person": "Grace Hopper",
        "doors": [
         "Front"
        ],
        "may_share": true
       }
      }
     }
    }
   }
  },
  "/api/v1/keys/{id}": {
   "get": {
    "operationId": "getKey",
    "summary": "One key.",
    "responses": {
     "200": {
      "description": "The key.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Credential"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath2"
     }
    ]
   },
   "delete": {
    "operationId": "revokeKey",
    "summary": "Revoke a key and every share below it.",
    "responses": {
     "200": {
      "description": "What was revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Revoked"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath2"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Revoke"
       },
       "example": {
        "reason": "moved out"
       }
      }
     }
    }
   }
  },
  "/api/v1/keys/{id}/shares": {
   "post": {
    "operationId": "shareKey",
    "summary": "Share a key that may be shared: doors a subset of its doors, from valid_from (default now) to no later than the key ends; returns the share link <public_url>/k/<token>, shown once.",
    "responses": {
     "201": {
      "description": "Shared.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IssuedKey"
        }
       }
      },
      "links": {
       "getKey": {
        "operationId": "getKey",
        "parameters": {
         "id": "$response.body#/key/id"
        }
       },
       "revokeKey": {
        "operationId": "revokeKey",
        "parameters": {
         "id": "$response.body#/key/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The key to share.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Share"
       },
       "example": {
        "recipient": "guest@example.org",
        "doors": [
         "Front"
        ]
       }
      }
     }
    }
   }
  },
  "/api/v1/links/device": {
   "post": {
    "operationId": "registerLinkDevice",
    "summary": "A share link's guest page registers the public key of the device that opened it (no account: the link's token is the credential). The first device wins; another one is refused (409 second_device), recorded, and its sharer warned.",
    "responses": {
     "200": {
      "description": "This device is the one the link is bound to.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DeviceRegistered"
        }
       }
      }
     },
     "201": {
      "description": "The link is bound to this device now.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DeviceRegistered"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "security": [
     {}
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RegisterDevice"
       },
       "example": {
        "key": "kw1.key_example.0.AAAA",
        "public_key": "BA=="
       }
      }
     }
    }
   }
  },
  "/api/v1/keys/{id}/device/allow": {
   "post": {
    "operationId": "allowLinkDevice",
    "summary": "The sharer's \"allow\": a share link opened on a second device is moved to that device (the first one no longer opens doors). 409 when no second device tried it.",
    "responses": {
     "200": {
      "description": "The share, bound to the new device.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Credential"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The share.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     }
    ]
   }
  },
  "/api/v1/doors/{door}/device-binding": {
   "get": {
    "operationId": "getDoorDeviceBinding",
    "summary": "Staff: whether share links must be bound to one device at this door.",
    "responses": {
     "200": {
      "description": "The door's setting.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DoorBinding"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ]
   },
   "put": {
    "operationId": "setDoorDeviceBinding",
    "summary": "Staff: whether share links must be bound to one device at this door (on by default).",
    "responses": {
     "200": {
      "description": "The door's setting.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DoorBinding"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/DoorPath"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/DoorBindingChange"
       },
       "example": {
        "required": false
       }
      }
     }
    }
   }
  },
  "/api/v1/passcodes": {
   "get": {
    "operationId": "listPasscodes",
    "summary": "Active passcodes with uses left and issuer (a resident: their own).",
    "responses": {
     "200": {
      "description": "Passcodes.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Credential"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/Limit"
     },
     {
      "$ref": "#/components/parameters/After"
     }
    ]
   },
   "post": {
    "operationId": "createPasscode",
    "summary": "Create a passcode (label or person, doors, window, uses; left out: unlimited); the code is shown once.",
    "responses": {
     "201": {
      "description": "Created.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IssuedPasscode"
        }
       }
      },
      "links": {
       "revokePasscode": {
        "operationId": "revokePasscode",
        "parameters": {
         "id": "$response.body#/passcode/id"
        }
       },
       "rotatePasscode": {
        "operationId": "rotatePasscode",
        "parameters": {
         "id": "$response.body#/passcode/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewPasscode"
       },
       "example": {
        "label": "Dog walker",
        "doors": [
         "Front"
        ],
        "uses": 3
       }
      }
     }
    }
   }
  },
  "/api/v1/passcodes/{id}": {
   "delete": {
    "operationId": "revokePasscode",
    "summary": "Revoke a passcode.",
    "responses": {
     "200": {
      "description": "What was revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Revoked"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath4"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Revoke"
       },
       "example": {
        "reason": "moved out"
       }
      }
     }
    }
   }
  },
  "/api/v1/passcodes/{id}/rotate": {
   "post": {
    "operationId": "rotatePasscode",
    "summary": "Rotate a passcode (staff, admin; a per-staff code, say): a new code that inherits everything else, shown once; the old one stops now or after overlap_seconds. The old code's id is refused after that.",
    "responses": {
     "201": {
      "description": "The new passcode and its code, shown once.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IssuedPasscode"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath4"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RotateCode"
       },
       "example": {
        "overlap_seconds": 3600
       }
      }
     }
    }
   }
  },
  "/api/v1/units": {
   "get": {
    "operationId": "listUnits",
    "summary": "Units and their residents (staff, admin).",
    "responses": {
     "200": {
      "description": "Units.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Unit"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   },
   "post": {
    "operationId": "addUnit",
    "summary": "Add a unit (staff, admin).",
    "responses": {
     "201": {
      "description": "Added.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Unit"
        }
       }
      },
      "links": {
       "listUnitPasses": {
        "operationId": "listUnitPasses",
        "parameters": {
         "unit": "$response.body#/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewUnit"
       },
       "example": {
        "name": "4B"
       }
      }
     }
    }
   }
  },
  "/api/v1/units/{unit}/residents": {
   "post": {
    "operationId": "moveIn",
    "summary": "A person moves into the unit (staff, admin); someone living elsewhere moves out first.",
    "responses": {
     "200": {
      "description": "The unit now.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Unit"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/UnitPath"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/MoveIn"
       },
       "example": {
        "person": "Grace Hopper"
       }
      }
     }
    }
   }
  },
  "/api/v1/units/{unit}/move-out": {
   "post": {
    "operationId": "moveOut",
    "summary": "The unit (or one person of it) moves out, in one transaction: their guest passes revoked, their own credentials as the policy's on_move_out says (staff, admin).",
    "responses": {
     "200": {
      "description": "Who left and every credential revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MoveOut"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/UnitPath"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/MoveOutRequest"
       },
       "example": {}
      }
     }
    }
   }
  },
  "/api/v1/units/{unit}/passes": {
   "get": {
    "operationId": "listUnitPasses",
    "summary": "Active visitor access: the guest passes the unit's residents issued, with issuer, uses left and last use (staff, admin; a resident their own unit's).",
    "responses": {
     "200": {
      "description": "Guest passes, newest first.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GuestPass"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/UnitPath"
     },
     {
      "name": "active",
      "in": "query",
      "required": false,
      "description": "false: every pass ever issued, not only live ones with uses left (default true).",
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     }
    ]
   }
  },
  "/api/v1/policy": {
   "get": {
    "operationId": "getSharingPolicy",
    "summary": "The managers' sharing policy: the site's rules and each group's and door's overrides.",
    "responses": {
     "200": {
      "description": "The policy.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SharingPolicy"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   },
   "patch": {
    "operationId": "setSharingPolicy",
    "summary": "Set rules at one level (admin): the site, or one group or door; clear unsets rules there.",
    "responses": {
     "200": {
      "description": "The policy now.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SharingPolicy"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SharingPolicyChange"
       },
       "example": {
        "longest_validity": 604800,
        "most_uses": 20,
        "guest_passes_per_unit": 10
       }
      }
     }
    }
   }
  },
  "/api/v1/webhooks": {
   "get": {
    "operationId": "listWebhooks",
    "summary": "Webhook subscriptions with their delivery state, never their secrets (admin).",
    "responses": {
     "200": {
      "description": "Subscriptions.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Webhook"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   },
   "post": {
    "operationId": "addWebhook",
    "summary": "Subscribe a URL to events (admin); the signing secret is shown once.",
    "responses": {
     "201": {
      "description": "Subscribed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedWebhook"
        }
       }
      },
      "links": {
       "listWebhookDeliveries": {
        "operationId": "listWebhookDeliveries",
        "parameters": {
         "id": "$response.body#/webhook/id"
        }
       },
       "removeWebhook": {
        "operationId": "removeWebhook",
        "parameters": {
         "id": "$response.body#/webhook/id"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewWebhook"
       },
       "example": {
        "url": "http://127.0.0.1:9/keyway",
        "events": [
         "access.denied",
         "door.forced"
        ]
       }
      }
     }
    }
   }
  },
  "/api/v1/webhook-events": {
   "get": {
    "operationId": "listWebhookEvents",
    "summary": "The event types a subscription may ask for (admin).",
    "responses": {
     "200": {
      "description": "Event type names.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "string"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/webhooks/{id}": {
   "delete": {
    "operationId": "removeWebhook",
    "summary": "Remove a subscription and the events still waiting for it (admin).",
    "responses": {
     "200": {
      "description": "Removed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RemovedWebhook"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath3"
     }
    ]
   }
  },
  "/api/v1/webhooks/{id}/deliveries": {
   "get": {
    "operationId": "listWebhookDeliveries",
    "summary": "A subscription's outbox, newest first: pending events and recent deliveries (admin).",
    "responses": {
     "200": {
      "description": "Deliveries.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/WebhookDelivery"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/IdPath3"
     },
     {
      "name": "pending",
      "in": "query",
      "required": false,
      "description": "true: only events not yet delivered.",
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "Items (default 50), newest first.",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     }
    ]
   }
  },
  "/api/v1/activity": {
   "get": {
    "operationId": "listActivity",
    "summary": "A page of the activity log, newest first, filtered; what the caller may see.",
    "responses": {
     "200": {
      "description": "A page.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ActivityPage"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/From"
     },
     {
      "$ref": "#/components/parameters/Until"
     },
     {
      "$ref": "#/components/parameters/Door"
     },
     {
      "$ref": "#/components/parameters/Person"
     },
     {
      "$ref": "#/components/parameters/Credential"
     },
     {
      "$ref": "#/components/parameters/Result"
     },
     {
      "$ref": "#/components/parameters/Reason"
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "Rows per page (default 50).",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "$ref": "#/components/parameters/Cursor"
     }
    ]
   }
  },
  "/api/v1/activity.csv": {
   "get": {
    "operationId": "exportActivity",
    "summary": "The activity log as CSV (RFC 4180), streamed: the filters and what the caller may see of GET /activity, newest first, every row. Fields a spreadsheet would run as formulas start with '.",
    "responses": {
     "200": {
      "description": "CSV: sequence,at,kind,event,door,reader,credential,person,outcome,reason,detail,actor.",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/From"
     },
     {
      "$ref": "#/components/parameters/Until"
     },
     {
      "$ref": "#/components/parameters/Door"
     },
     {
      "$ref": "#/components/parameters/Person"
     },
     {
      "$ref": "#/components/parameters/Credential"
     },
     {
      "$ref": "#/components/parameters/Result"
     },
     {
      "$ref": "#/components/parameters/Reason"
     }
    ]
   }
  },
  "/api/v1/alerts": {
   "get": {
    "operationId": "listAlerts",
    "summary": "A page of alerts, newest first (staff and admin): doors forced or held open, readers offline, keypad lockouts, duress codes, codes tried outside their hours; each with who acknowledged it.",
    "responses": {
     "200": {
      "description": "A page.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AlertPage"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/Kind"
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "description": "Alerts at or after this time.",
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "name": "until",
      "in": "query",
      "required": false,
      "description": "Alerts before this time (after from).",
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     },
     {
      "$ref": "#/components/parameters/Door"
     },
     {
      "$ref": "#/components/parameters/Acknowledged"
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "Alerts per page (default 50).",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     },
     {
      "$ref": "#/components/parameters/Cursor"
     }
    ]
   }
  },
  "/api/v1/alerts/stream": {
   "get": {
    "operationId": "streamAlerts",
    "summary": "New alerts as Server-Sent Events (event: alert, id: the sequence, data: the alert); resumes after Last-Event-ID. Staff and admin.",
    "responses": {
     "200": {
      "description": "The stream.",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/Kind"
     },
     {
      "$ref": "#/components/parameters/Door"
     },
     {
      "$ref": "#/components/parameters/Acknowledged"
     }
    ]
   }
  },
  "/api/v1/alerts/{sequence}/acknowledge": {
   "post": {
    "operationId": "acknowledgeAlert",
    "summary": "Marks an alert acknowledged by the caller (logged as alert_acknowledged); one already acknowledged stays as it was. Staff and admin.",
    "responses": {
     "200": {
      "description": "The alert, acknowledged.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Alert"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "sequence",
      "in": "path",
      "required": true,
      "description": "The alert's sequence.",
      "schema": {
       "type": "string",
       "pattern": "^[1-9][0-9]{0,17}$"
      }
     }
    ]
   }
  },
  "/api/v1/activity/stream": {
   "get": {
    "operationId": "streamActivity",
    "summary": "New activity entries as Server-Sent Events (event: activity, id: the sequence, data: the entry); resumes after Last-Event-ID.",
    "responses": {
     "200": {
      "description": "The stream.",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/From"
     },
     {
      "$ref": "#/components/parameters/Until"
     },
     {
      "$ref": "#/components/parameters/Door"
     },
     {
      "$ref": "#/components/parameters/Person"
     },
     {
      "$ref": "#/components/parameters/Credential"
     },
     {
      "$ref": "#/components/parameters/Result"
     },
     {
      "$ref": "#/components/parameters/Reason"
     },
     {
      "name": "Last-Event-ID",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     }
    ]
   }
  },
  "/api/v1/people": {
   "get": {
    "operationId": "listPeople",
    "summary": "People by name (staff, admin), as `keyway people list`: `search` matches part of a name, case-insensitive; a page at a time, by name.",
    "responses": {
     "200": {
      "description": "People.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Person"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "name": "search",
      "in": "query",
      "required": false,
      "description": "Part of a name.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     },
     {
      "name": "after",
      "in": "query",
      "required": false,
      "description": "The last name of the previous page.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "Items per page (default 50), by name.",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     }
    ]
   },
   "post": {
    "operationId": "addPerson",
    "summary": "Add a person (staff, admin), as `keyway people add`: a unique name, and a kind. Logged with the caller.",
    "responses": {
     "201": {
      "description": "Added.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewPerson"
       },
       "example": {
        "name": "Katherine Johnson",
        "kind": "resident"
       }
      }
     }
    }
   }
  },
  "/api/v1/people/{person}/suspend": {
   "post": {
    "operationId": "suspendPerson",
    "summary": "Suspend all of a person's access at once (staff, admin), as `keyway people suspend`. Logged with the caller.",
    "responses": {
     "200": {
      "description": "The person, suspended.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     }
    ]
   }
  },
  "/api/v1/people/{person}/reinstate": {
   "post": {
    "operationId": "reinstatePerson",
    "summary": "Lift a person's suspension (staff, admin), as `keyway people reinstate`. Logged with the caller.",
    "responses": {
     "200": {
      "description": "The person, reinstated.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Person"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     }
    ]
   }
  },
  "/api/v1/people/{person}/groups": {
   "post": {
    "operationId": "grantGroup",
    "summary": "Add a person to an access group (staff, admin), as `keyway people grant`: their cards and PINs open its doors on its schedules. Logged with the caller.",
    "responses": {
     "200": {
      "description": "Done.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Grant"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GrantRequest"
       },
       "example": {
        "group": "Residents"
       }
      }
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     }
    ]
   }
  },
  "/api/v1/people/{person}/credentials": {
   "get": {
    "operationId": "listPersonCredentials",
    "summary": "A person's credentials of every kind (staff, admin): cards, PINs, keys and passcodes they hold, newest first, revoked ones included (active false). Never a code's digits or a key's token: `shown` is a card's fields or a code's mask.",
    "responses": {
     "200": {
      "description": "The person's credentials.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Credential"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "At most this many (1 to 200, 50 when left out).",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     }
    ]
   }
  },
  "/api/v1/people/{person}/cards": {
   "post": {
    "operationId": "addCard",
    "summary": "Enrol a card for a person (staff, admin; not a token limited to doors), as `keyway cards add`: format and card (and facility), or bits. 409 while the same card is active for anyone. Logged with the caller.",
    "responses": {
     "201": {
      "description": "The card.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Credential"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewCard"
       },
       "example": {
        "format": "h10301",
        "facility": 12,
        "card": 345
       }
      }
     }
    }
   }
  },
  "/api/v1/people/{person}/credentials/{id}": {
   "delete": {
    "operationId": "revokePersonCredential",
    "summary": "Revoke one of a person's credentials of any kind (staff, admin; not a token limited to doors), and every share below it; 404 when it is not that person's, 409 when already revoked. Logged with the caller.",
    "responses": {
     "200": {
      "description": "What was revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Revoked"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/PersonPath"
     },
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The credential's id.",
      "schema": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Revoke"
       },
       "example": {
        "reason": "lost"
       }
      }
     }
    }
   }
  },
  "/api/v1/groups": {
   "post": {
    "operationId": "addGroup",
    "summary": "Add an access group (admin), as `keyway groups add`: doors, each open at any time or on a schedule. Logged with the caller.",
    "responses": {
     "201": {
      "description": "Done.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Named"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewGroup"
       },
       "example": {
        "name": "Night staff",
        "doors": [
         {
          "door": "Front",
          "schedule": "Office hours"
         }
        ]
       }
      }
     }
    }
   },
   "get": {
    "operationId": "listGroups",
    "summary": "Access groups by name (staff, admin), with their doors, each open at any time or on a schedule (as POST /groups takes them). A token limited to doors sees only those doors, and no group without one.",
    "responses": {
     "200": {
      "description": "Groups.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GroupListing"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/schedules": {
   "post": {
    "operationId": "addSchedule",
    "summary": "Add a weekly schedule in site time (admin), as `keyway schedules add`; `to` at or before `from` runs past midnight. Logged with the caller.",
    "responses": {
     "201": {
      "description": "Done.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Named"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/NewSchedule"
       },
       "example": {
        "name": "Office hours",
        "days": "mon-fri",
        "from": "08:00",
        "to": "18:00"
       }
      }
     }
    }
   },
   "get": {
    "operationId": "listSchedules",
    "summary": "Weekly schedules by name (staff, admin), in site time, in the words POST /schedules takes (days like mon,tue or daily; HH:MM).",
    "responses": {
     "200": {
      "description": "Schedules.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ScheduleListing"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/holidays": {
   "post": {
    "operationId": "addHoliday",
    "summary": "Add a holiday (admin), as `keyway holidays add`: schedules close on it unless open on holidays. Logged with the caller.",
    "responses": {
     "201": {
      "description": "Done.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Holiday"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Holiday"
       },
       "example": {
        "day": "2026-12-25",
        "name": "Christmas"
       }
      }
     }
    }
   },
   "get": {
    "operationId": "listHolidays",
    "summary": "Holidays by day (staff, admin).",
    "responses": {
     "200": {
      "description": "Holidays.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Holiday"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/import": {
   "post": {
    "operationId": "importDirectory",
    "summary": "Import units, people and their cards from CSV (staff, admin; not with a token limited to doors). Units first, then people (moved into their units), then cards, whatever the file's order; ONE transaction: every change or none. An import adds what is missing and changes nothing that exists: a record that contradicts the database is an error. With dry_run=true nothing is changed and the answer says what would be. Every error has its line (and column). At most 2 MiB and 10000 records. Each change is logged with the caller.",
    "parameters": [
     {
      "name": "dry_run",
      "in": "query",
      "required": false,
      "description": "true: check only, change nothing.",
      "schema": {
       "type": "boolean"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "text/csv": {
       "schema": {
        "type": "string",
        "maxLength": 2097152
       },
       "example": "record,name,kind,unit,person,format,facility,number\r\nunit,4B,,,,,,\r\nperson,Ada Lovelace,resident,4B,,,,\r\ncard,,,,Ada Lovelace,h10301,12,345\r\n"
      }
     }
    },
    "responses": {
     "200": {
      "description": "Imported (or, with dry_run, checked and sound): the changes.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ImportReport"
        }
       }
      }
     },
     "422": {
      "description": "Errors (dry run or not): nothing was changed; the errors, by line.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ImportReport"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  },
  "/api/v1/export.csv": {
   "get": {
    "operationId": "exportDirectory",
    "summary": "Units, people and their cards (neither revoked nor expired) as CSV, streamed, in the columns POST /import reads: an import of it changes nothing (staff, admin; not with a token limited to doors). Never a PIN, passcode or key. Fields a spreadsheet would run as formulas start with ', which the import removes.",
    "responses": {
     "200": {
      "description": "CSV (RFC 4180): record,name,kind,unit,suspended,person,format,facility,number,bits,valid_from,valid_until. `record` is unit, person or card; a unit fills name; a person name, kind (resident, staff, visitor, vendor; empty: resident), unit, suspended (true or false); a card person, and format with number (and facility) or bits, and valid_from and valid_until (RFC 3339) if it has a window.",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Refusal"
     }
    }
   }
  }
 },
 "components": {
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "object",
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      },
      "required": [
       "code",
       "message"
      ]
     }
    },
    "required": [
     "error"
    ]
   },
   "User": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "email": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident"
      ]
     },
     "person": {
      "type": "string"
     },
     "disabled": {
      "type": "boolean"
     },
     "has_password": {
      "type": "boolean"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "site",
     "email",
     "name",
     "role",
     "disabled",
     "has_password",
     "created_at"
    ]
   },
   "NewUser": {
    "type": "object",
    "properties": {
     "email": {
      "type": "string",
      "maxLength": 254,
      "minLength": 3,
      "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
     },
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident"
      ]
     },
     "person": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     }
    },
    "required": [
     "email",
     "name",
     "role"
    ]
   },
   "UserChange": {
    "type": "object",
    "description": "At least one of disabled, role and person.",
    "properties": {
     "disabled": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident",
       null
      ]
     },
     "person": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S",
      "description": "The person (id or name) whose keys are the account's own; a resident's unit is their person's. Left out: unchanged."
     }
    },
    "required": []
   },
   "PasswordLink": {
    "type": "object",
    "properties": {
     "url": {
      "type": "string"
     },
     "expires_at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "url",
     "expires_at"
    ]
   },
   "CreatedUser": {
    "type": "object",
    "properties": {
     "user": {
      "$ref": "#/components/schemas/User"
     },
     "password_link": {
      "$ref": "#/components/schemas/PasswordLink"
     }
    },
    "required": [
     "user",
     "password_link"
    ]
   },
   "Login": {
    "type": "object",
    "properties": {
     "email": {
      "type": "string",
      "maxLength": 254
     },
     "password": {
      "type": "string",
      "maxLength": 72
     }
    },
    "required": [
     "email",
     "password"
    ]
   },
   "SetPassword": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string",
      "maxLength": 512,
      "minLength": 1
     },
     "password": {
      "type": "string",
      "maxLength": 72,
      "minLength": 12
     }
    },
    "required": [
     "token",
     "password"
    ]
   },
   "Session": {
    "type": "object",
    "properties": {
     "user": {
      "$ref": "#/components/schemas/User"
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident"
      ]
     },
     "via": {
      "enum": [
       "session",
       "token"
      ]
     },
     "csrf_token": {
      "type": "string"
     },
     "expires_at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "user",
     "role",
     "via"
    ]
   },
   "NewToken": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident",
       null
      ]
     },
     "doors": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1,
       "pattern": "\\S"
      },
      "minItems": 1,
      "maxItems": 64
     },
     "expires_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "required": [
     "name"
    ]
   },
   "Token": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "enum": [
       "admin",
       "staff",
       "resident"
      ]
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "user": {
      "type": "string"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "expires_at": {
      "type": "string",
      "format": "date-time"
     },
     "last_used_at": {
      "type": "string",
      "format": "date-time"
     },
     "revoked_at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "site",
     "name",
     "role",
     "user",
     "created_at"
    ]
   },
   "CreatedToken": {
    "type": "object",
    "properties": {
     "token": {
      "$ref": "#/components/schemas/Token"
     },
     "secret": {
      "type": "string"
     }
    },
    "required": [
     "token",
     "secret"
    ]
   },
   "Door": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "mode": {
      "type": "string"
     },
     "configured_mode": {
      "type": "string"
     },
     "open": {
      "type": "boolean"
     },
     "alarms": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "last_event": {
      "type": "string"
     },
     "reader": {
      "type": "string"
     },
     "reader_online": {
      "type": "boolean"
     },
     "secure_channel": {
      "type": "boolean"
     }
    },
    "required": [
     "name",
     "mode",
     "configured_mode",
     "alarms",
     "reader_online",
     "secure_channel"
    ]
   },
   "Unlock": {
    "type": "object",
    "properties": {
     "key": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 512,
      "minLength": 1
     },
     "device": {
      "$ref": "#/components/schemas/DeviceProof"
     }
    },
    "required": []
   },
   "UnlockResult": {
    "type": "object",
    "properties": {
     "door": {
      "type": "string"
     },
     "granted": {
      "type": "boolean"
     },
     "decision": {
      "enum": [
       "grant",
       "deny"
      ]
     },
     "reason": {
      "$ref": "#/components/schemas/DenyReason"
     },
     "credential": {
      "type": "string"
     },
     "log_sequence": {
      "type": "integer"
     }
    },
    "required": [
     "door",
     "granted",
     "decision"
    ]
   },
   "Credential": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "kind": {
      "enum": [
       "key",
       "passcode",
       "card",
       "pin"
      ]
     },
     "shown": {
      "type": "string",
      "description": "In a person's credential list: a card's fields or a code's mask."
     },
     "person": {
      "type": "string"
     },
     "label": {
      "type": "string"
     },
     "recipient": {
      "type": "string"
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "valid_from": {
      "type": "string",
      "format": "date-time"
     },
     "valid_until": {
      "type": "string",
      "format": "date-time"
     },
     "uses_left": {
      "type": "integer"
     },
     "may_share": {
      "type": "boolean"
     },
     "parent": {
      "type": "string"
     },
     "active": {
      "type": "boolean"
     },
     "revoked_at": {
      "type": "string",
      "format": "date-time"
     },
     "revoked_reason": {
      "type": "string"
     },
     "issuer": {
      "type": "string"
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "device": {
      "$ref": "#/components/schemas/DeviceBinding"
     }
    },
    "required": [
     "id",
     "site",
     "kind",
     "doors",
     "may_share",
     "active",
     "created_at"
    ]
   },
   "NewKey": {
    "type": "object",
    "properties": {
     "person": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1,
       "pattern": "\\S"
      },
      "minItems": 1,
      "maxItems": 64
     },
     "valid_until": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "may_share": {
      "type": [
       "boolean",
       "null"
      ]
     }
    },
    "required": [
     "person",
     "doors"
    ]
   },
   "Share": {
    "type": "object",
    "properties": {
     "recipient": {
      "type": "string",
      "maxLength": 254,
      "minLength": 1,
      "pattern": "\\S"
     },
     "doors": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1,
       "pattern": "\\S"
      },
      "minItems": 1,
      "maxItems": 64
     },
     "valid_from": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "valid_until": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "may_share": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "send_to": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 254,
      "minLength": 1,
      "pattern": "\\S",
      "description": "Where to send the link (an e-mail address or phone number); left out: the recipient, when it is one and delivery for its channel is configured. Named explicitly, delivery for it must be configured (delivery.email, delivery.sms), else 400. The link is still in the answer."
     }
    },
    "required": [
     "recipient"
    ]
   },
   "IssuedKey": {
    "type": "object",
    "properties": {
     "key": {
      "$ref": "#/components/schemas/Credential"
     },
     "token": {
      "type": "string"
     },
     "link": {
      "type": "string"
     },
     "delivery": {
      "$ref": "#/components/schemas/Delivery"
     }
    },
    "required": [
     "key",
     "token",
     "link"
    ]
   },
   "NewPasscode": {
    "type": "object",
    "properties": {
     "label": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "person": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "string",
       "maxLength": 200,
       "minLength": 1,
       "pattern": "\\S"
      },
      "minItems": 1,
      "maxItems": 64
     },
     "valid_from": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "valid_until": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "uses": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 1,
      "maximum": 10000
     },
     "schedule": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S",
      "description": "A weekly schedule by name (GET /schedules): the code opens only inside it."
     },
     "duress": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "A duress code (staff, admin): it opens as the door allows and raises a silent alarm."
     },
     "send_to": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 254,
      "minLength": 1,
      "pattern": "\\S",
      "description": "An e-mail address or phone number to send it to; the site must configure delivery for that channel (delivery.email, delivery.sms), else 400."
     }
    },
    "required": [
     "doors"
    ]
   },
   "IssuedPasscode": {
    "type": "object",
    "properties": {
     "passcode": {
      "$ref": "#/components/schemas/Credential"
     },
     "code": {
      "type": "string"
     },
     "delivery": {
      "$ref": "#/components/schemas/Delivery"
     }
    },
    "required": [
     "passcode",
     "code"
    ]
   },
   "Delivery": {
    "type": "object",
    "description": "Present when the link or code is being sent: queued in the same transaction and sent by the outbox with retries (the activity log then records it sent, kind message, the recipient masked).",
    "properties": {
     "channel": {
      "type": "string",
      "enum": [
       "email",
       "sms"
      ]
     },
     "to_masked": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "queued"
      ]
     }
    },
    "required": [
     "channel",
     "to_masked",
     "status"
    ]
   },
   "Revoke": {
    "type": "object",
    "properties": {
     "reason": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 500,
      "minLength": 1,
      "pattern": "\\S"
     }
    },
    "required": []
   },
   "Revoked": {
    "type": "object",
    "properties": {
     "revoked": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "revoked"
    ]
   },
   "Unit": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "residents": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "id",
     "site",
     "name",
     "residents"
    ]
   },
   "NewUnit": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     }
    },
    "required": [
     "name"
    ]
   },
   "MoveIn": {
    "type": "object",
    "properties": {
     "person": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     }
    },
    "required": [
     "person"
    ]
   },
   "MoveOutRequest": {
    "type": "object",
    "properties": {
     "person": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     }
    },
    "required": []
   },
   "MoveOut": {
    "type": "object",
    "properties": {
     "unit": {
      "type": "string"
     },
     "residents": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "revoked": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "unit",
     "residents",
     "revoked"
    ]
   },
   "GuestPass": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "kind": {
      "enum": [
       "key",
       "passcode"
      ]
     },
     "label": {
      "type": "string"
     },
     "recipient": {
      "type": "string"
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "valid_from": {
      "type": "string",
      "format": "date-time"
     },
     "valid_until": {
      "type": "string",
      "format": "date-time"
     },
     "uses_left": {
      "type": "integer"
     },
     "parent": {
      "type": "string"
     },
     "issuer": {
      "type": "string"
     },
     "last_used": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "kind",
     "doors",
     "issuer"
    ]
   },
   "SharingRules": {
    "type": "object",
    "properties": {
     "may_share": {
      "type": "boolean"
     },
     "may_make_passcodes": {
      "type": "boolean"
     },
     "longest_validity": {
      "oneOf": [
       {
        "type": "integer"
       },
       {
        "const": "unlimited"
       }
      ],
      "description": "Seconds."
     },
     "most_uses": {
      "oneOf": [
       {
        "type": "integer"
       },
       {
        "const": "unlimited"
       }
      ]
     },
     "may_reshare": {
      "type": "boolean"
     },
     "guest_passes_per_unit": {
      "oneOf": [
       {
        "type": "integer"
       },
       {
        "const": "unlimited"
       }
      ]
     },
     "on_move_out": {
      "enum": [
       "revoke",
       "suspend",
       "keep"
      ]
     }
    },
    "required": []
   },
   "SharingPolicy": {
    "type": "object",
    "properties": {
     "site": {
      "$ref": "#/components/schemas/SharingRules"
     },
     "groups": {
      "type": "object",
      "additionalProperties": {
       "$ref": "#/components/schemas/SharingRules"
      }
     },
     "doors": {
      "type": "object",
      "additionalProperties": {
       "$ref": "#/components/schemas/SharingRules"
      }
     }
    },
    "required": [
     "site",
     "groups",
     "doors"
    ]
   },
   "SharingPolicyChange": {
    "type": "object",
    "properties": {
     "group": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "door": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1,
      "pattern": "\\S"
     },
     "may_share": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "may_make_passcodes": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "longest_validity": {
      "oneOf": [
       {
        "type": "integer",
        "minimum": 1,
        "maximum": 315360000
       },
       {
        "const": "unlimited"
       },
       {
        "type": "null"
       }
      ],
      "description": "Seconds (1 s to 3650 d), or unlimited."
     },
     "most_uses": {
      "oneOf": [
       {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000000
       },
       {
        "const": "unlimited"
       },
       {
        "type": "null"
       }
      ]
     },
     "may_reshare": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "guest_passes_per_unit": {
      "oneOf": [
       {
        "type": "integer",
        "minimum": 0,
        "maximum": 10000
       },
       {
        "const": "unlimited"
       },
       {
        "type": "null"
       }
      ]
     },
     "on_move_out": {
      "enum": [
       "revoke",
       "suspend",
       "keep",
       null
      ],
      "description": "The site's only."
     },
     "clear": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "enum": [
        "may_share",
        "may_make_passcodes",
        "longest_validity",
        "most_uses",
        "may_reshare",
        "guest_passes_per_unit"
       ]
      },
      "description": "Rules unset at this level: they inherit again."
     }
    },
    "required": []
   },
   "Webhook": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "url": {
      "type": "string"
     },
     "events": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "The event names asked for, or [\"all\"]."
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "pending": {
      "type": "integer"
     },
     "attempts": {
      "type": "integer"
     },
     "last_status": {
      "type": "integer"
     },
     "last_error": {
      "type": "string"
     },
     "last_delivered": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "site",
     "url",
     "events",
     "created_at",
     "pending",
     "attempts"
    ]
   },
   "NewWebhook": {
    "type": "object",
    "properties": {
     "url": {
      "type": "string",
      "maxLength": 1000,
      "minLength": 1,
      "pattern": "^https?://"
     },
     "events": {
      "type": "array",
      "minItems": 1,
      "maxItems": 14,
      "description": "Event names, or [\"all\"]: every event, kinds a later Keyway adds included (all among names means all).",
      "items": {
       "enum": [
        "all",
        "access.granted",
        "access.denied",
        "door.forced",
        "door.held",
        "door.unconfirmed",
        "reader.offline",
        "reader.online",
        "passcode.used",
        "passcode.expired",
        "key.shared",
        "key.revoked",
        "lockout",
        "duress"
       ]
      }
     }
    },
    "required": [
     "url",
     "events"
    ]
   },
   "CreatedWebhook": {
    "type": "object",
    "properties": {
     "webhook": {
      "$ref": "#/components/schemas/Webhook"
     },
     "secret": {
      "type": "string"
     }
    },
    "required": [
     "webhook",
     "secret"
    ]
   },
   "RemovedWebhook": {
    "type": "object",
    "properties": {
     "removed": {
      "type": "string"
     }
    },
    "required": [
     "removed"
    ]
   },
   "WebhookDelivery": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "subscription": {
      "type": "string"
     },
     "type": {
      "type": "string"
     },
     "sequence": {
      "type": "integer"
     },
     "attempts": {
      "type": "integer"
     },
     "last_attempt": {
      "type": "string",
      "format": "date-time"
     },
     "last_status": {
      "type": "integer"
     },
     "last_error": {
      "type": "string"
     },
     "next_attempt": {
      "type": "string",
      "format": "date-time"
     },
     "delivered": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "subscription",
     "type",
     "sequence",
     "attempts"
    ]
   },
   "RegisterDevice": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "maxLength": 512,
      "minLength": 1
     },
     "public_key": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "Base64 of the raw P-256 public key (65 bytes, uncompressed), as WebCrypto exports it."
     }
    },
    "required": [
     "key",
     "public_key"
    ]
   },
   "DeviceRegistered": {
    "type": "object",
    "properties": {
     "binding": {
      "enum": [
       "bound",
       "same_device"
      ]
     },
     "server_time": {
      "type": "integer",
      "description": "The server's clock in milliseconds since 1970, for the stamps of device proofs."
     }
    },
    "required": [
     "binding",
     "server_time"
    ]
   },
   "DeviceProof": {
    "type": "object",
    "description": "Signed by the device a share link is bound to: base64 of the raw ECDSA P-256/SHA-256 signature of \"keyway-unlock\\n<share id>\\n<door>\\n<stamp>\"; stamp in milliseconds by the server's clock, within two minutes of it and newer than the last accepted.",
    "properties": {
     "stamp": {
      "type": "integer"
     },
     "signature": {
      "type": "string",
      "maxLength": 200
     }
    },
    "required": [
     "stamp",
     "signature"
    ]
   },
   "DeviceBinding": {
    "type": "object",
    "properties": {
     "bound_at": {
      "type": "string",
      "format": "date-time"
     },
     "second_device_at": {
      "type": "string",
      "format": "date-time",
      "description": "The link was opened on a second device and refused there."
     }
    },
    "required": [
     "bound_at"
    ]
   },
   "DoorBindingChange": {
    "type": "object",
    "properties": {
     "required": {
      "type": "boolean"
     }
    },
    "required": [
     "required"
    ]
   },
   "DoorBinding": {
    "type": "object",
    "properties": {
     "door": {
      "type": "string"
     },
     "required": {
      "type": "boolean"
     }
    },
    "required": [
     "door",
     "required"
    ]
   },
   "ActivityEntry": {
    "type": "object",
    "properties": {
     "sequence": {
      "type": "integer"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "kind": {
      "type": "string"
     },
     "event": {
      "type": "string"
     },
     "door": {
      "type": "string"
     },
     "reader": {
      "type": "string"
     },
     "credential_id": {
      "type": "string"
     },
     "person_id": {
      "type": "string"
     },
     "outcome": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "detail": {
      "type": "string"
     },
     "actor": {
      "type": "string"
     }
    },
    "required": [
     "sequence",
     "at",
     "kind"
    ]
   },
   "Alert": {
    "type": "object",
    "properties": {
     "sequence": {
      "type": "integer",
      "description": "The activity row's sequence: the alert's id."
     },
     "kind": {
      "enum": [
       "forced",
       "held_open",
       "reader_offline",
       "opening_unconfirmed",
       "keypad_lockout",
       "duress",
       "out_of_hours"
      ]
     },
     "at": {
      "type": "string",
      "format": "date-time"
     },
     "event": {
      "type": "string"
     },
     "door": {
      "type": "string"
     },
     "reader": {
      "type": "string"
     },
     "credential_id": {
      "type": "string"
     },
     "person_id": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "detail": {
      "type": "string"
     },
     "acknowledged": {
      "type": "boolean"
     },
     "acknowledged_by": {
      "type": "string"
     },
     "acknowledged_by_name": {
      "type": "string"
     },
     "acknowledged_at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "sequence",
     "kind",
     "at",
     "acknowledged"
    ]
   },
   "AlertPage": {
    "type": "object",
    "properties": {
     "site": {
      "type": "string"
     },
     "alerts": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Alert"
      }
     },
     "next_cursor": {
      "type": "string"
     }
    },
    "required": [
     "site",
     "alerts"
    ]
   },
   "ActivityPage": {
    "type": "object",
    "properties": {
     "site": {
      "type": "string"
     },
     "entries": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ActivityEntry"
      }
     },
     "next_cursor": {
      "type": "string"
     }
    },
    "required": [
     "site",
     "entries"
    ]
   },
   "TimedUnlock": {
    "type": "object",
    "properties": {
     "seconds": {
      "type": "integer",
      "minimum": 1,
      "maximum": 6553,
      "description": "How long the strike is released: 1 to 6553 s (the longest OSDP output timer)."
     }
    },
    "required": [
     "seconds"
    ]
   },
   "DoorCommandResult": {
    "type": "object",
    "properties": {
     "door": {
      "type": "string"
     },
     "action": {
      "enum": [
       "lockdown",
       "normal",
       "unlock"
      ]
     },
     "result": {
      "type": "string",
      "description": "What the door did, in words."
     }
    },
    "required": [
     "door",
     "action",
     "result"
    ]
   },
   "Person": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "kind": {
      "enum": [
       "resident",
       "staff",
       "visitor",
       "vendor"
      ]
     },
     "suspended": {
      "type": "boolean"
     },
     "vacation_start": {
      "type": [
       "string",
       "null"
      ]
     },
     "vacation_end": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "site",
     "name",
     "kind",
     "suspended"
    ]
   },
   "NewPerson": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "Unique at the site."
     },
     "kind": {
      "enum": [
       "resident",
       "staff",
       "visitor",
       "vendor"
      ],
      "description": "resident when left out."
     }
    },
    "required": [
     "name"
    ]
   },
   "NewCard": {
    "type": "object",
    "description": "format and card (and facility when the format has one), or bits alone.",
    "properties": {
     "format": {
      "type": [
       "string",
       "null"
      ],
      "minLength": 1,
      "maxLength": 200,
      "pattern": "^[A-Za-z0-9_-]+$",
      "description": "The card format's name, e.g. h10301."
     },
     "facility": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0,
      "maximum": 4294967295
     },
     "card": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0,
      "maximum": 9223372036854775807,
      "description": "The card number."
     },
     "bits": {
      "type": [
       "string",
       "null"
      ],
      "minLength": 1,
      "maxLength": 1024,
      "pattern": "^[01]+$",
      "description": "Raw bits for a card no format decodes."
     },
     "valid_from": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "valid_until": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "required": []
   },
   "GrantRequest": {
    "type": "object",
    "properties": {
     "group": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "The group's id or name."
     }
    },
    "required": [
     "group"
    ]
   },
   "Grant": {
    "type": "object",
    "properties": {
     "person": {
      "type": "string"
     },
     "group": {
      "type": "string"
     }
    },
    "required": [
     "person",
     "group"
    ]
   },
   "Named": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "site",
     "name"
    ]
   },
   "NewGroup": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "Unique at the site."
     },
     "doors": {
      "type": "array",
      "minItems": 1,
      "maxItems": 64,
      "items": {
       "type": "object",
       "properties": {
        "door": {
         "type": "string",
         "maxLength": 200,
         "minLength": 1
        },
        "schedule": {
         "type": [
          "string",
          "null"
         ],
         "maxLength": 200,
         "minLength": 1
        }
       },
       "required": [
        "door"
       ]
      }
     }
    },
    "required": [
     "name",
     "doors"
    ]
   },
   "NewSchedule": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "Unique at the site."
     },
     "days": {
      "type": "string",
      "maxLength": 200,
      "minLength": 1,
      "description": "mon-fri, sat,sun, mon,wed-fri or daily."
     },
     "from": {
      "type": "string",
      "maxLength": 5,
      "minLength": 1,
      "description": "HH:MM, site time."
     },
     "to": {
      "type": "string",
      "maxLength": 5,
      "minLength": 1,
      "description": "HH:MM (24:00 for midnight)."
     },
     "open_on_holidays": {
      "type": [
       "boolean",
       "null"
      ]
     }
    },
    "required": [
     "name",
     "days",
     "from",
     "to"
    ]
   },
   "Holiday": {
    "type": "object",
    "properties": {
     "day": {
      "type": "string",
      "maxLength": 10,
      "minLength": 1,
      "description": "YYYY-MM-DD, a site day."
     },
     "name": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 200,
      "minLength": 1
     }
    },
    "required": [
     "day"
    ]
   },
   "GroupListing": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "doors": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "door": {
         "type": "string"
        },
        "schedule": {
         "type": "string",
         "description": "Left out: open at any time."
        }
       },
       "required": [
        "door"
       ]
      }
     }
    },
    "required": [
     "id",
     "site",
     "name",
     "doors"
    ]
   },
   "ScheduleListing": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "open_on_holidays": {
      "type": "boolean"
     },
     "intervals": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "days": {
         "type": "string",
         "description": "mon,tue,… or daily."
        },
        "from": {
         "type": "string",
         "description": "HH:MM"
        },
        "to": {
         "type": "string",
         "description": "HH:MM; at or before from, past midnight."
        }
       },
       "required": [
        "days",
        "from",
        "to"
       ]
      }
     }
    },
    "required": [
     "id",
     "site",
     "name",
     "open_on_holidays",
     "intervals"
    ]
   },
   "ImportReport": {
    "type": "object",
    "properties": {
     "dry_run": {
      "type": "boolean"
     },
     "applied": {
      "type": "boolean",
      "description": "True when every change was committed; false: nothing was changed."
     },
     "records": {
      "type": "integer",
      "description": "Records read, the header not counted."
     },
     "changes": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "line": {
         "type": "integer"
        },
        "action": {
         "type": "string",
         "enum": [
          "add_unit",
          "add_person",
          "move_in",
          "suspend",
          "add_card"
         ]
        },
        "subject": {
         "type": "string"
        }
       },
       "required": [
        "line",
        "action",
        "subject"
       ]
      }
     },
     "unchanged": {
      "type": "integer",
      "description": "Records the database holds already."
     },
     "errors": {
      "type": "array",
      "description": "The first 1000 errors, by line.",
      "items": {
       "type": "object",
       "properties": {
        "line": {
         "type": "integer"
        },
        "column": {
         "type": "integer",
         "description": "1-based; left out when the whole record is at fault."
        },
        "field": {
         "type": "string"
        },
        "message": {
         "type": "string"
        }
       },
       "required": [
        "line",
        "message"
       ]
      }
     },
     "errors_total": {
      "type": "integer"
     },
     "error": {
      "type": "object",
      "description": "With errors only: code import_refused.",
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      },
      "required": [
       "code",
       "message"
      ]
     }
    },
    "required": [
     "dry_run",
     "applied",
     "records",
     "changes",
     "unchanged",
     "errors",
     "errors_total"
    ]
   },
   "RotateCode": {
    "type": "object",
    "properties": {
     "overlap_seconds": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0,
      "maximum": 604800,
      "description": "How long the old code keeps working beside the new one; left out: it stops now."
     }
    }
   },
   "DenyReason": {
    "description": "Why a presentation was denied (docs/access.md); opening_unconfirmed: granted, but the relay did not confirm the release.",
    "enum": [
     "unknown",
     "revoked",
     "expired",
     "not_yet_valid",
     "outside_schedule",
     "holiday",
     "wrong_pin",
     "use_limit_reached",
     "suspended",
     "door_not_allowed",
     "lockout",
     "duress",
     "format_error",
     "unknown_reader",
     "invalid_signature",
     "door_locked_down",
     "mode_mismatch",
     "pin_required",
     "unknown_door",
     "clock_error",
     "internal_error",
     "database_missing",
     "clock_untrusted",
     "stale_read",
     "opening_unconfirmed"
    ]
   }
  },
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from POST /api/v1/tokens."
   },
   "session": {
    "type": "apiKey",
    "in": "cookie",
    "name": "keyway_session",
    "description": "The cookie POST /api/v1/session sets; changes also need the X-CSRF-Token header."
   }
  },
  "responses": {
   "Refusal": {
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    },
    "description": "A refusal: the status says which, the body why."
   }
  },
  "parameters": {
   "IdPath": {
    "description": "The account's id.",
    "in": "path",
    "name": "id",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "DoorPath": {
    "description": "The door's name.",
    "in": "path",
    "name": "door",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "Limit": {
    "description": "Items per page (default 50), oldest first.",
    "in": "query",
    "name": "limit",
    "required": false,
    "schema": {
     "maximum": 200,
     "minimum": 1,
     "type": "integer"
    }
   },
   "After": {
    "description": "The last id of the previous page.",
    "in": "query",
    "name": "after",
    "required": false,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "IdPath2": {
    "description": "The key's id.",
    "in": "path",
    "name": "id",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "UnitPath": {
    "description": "The unit's id or name.",
    "in": "path",
    "name": "unit",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "IdPath3": {
    "description": "The subscription's id.",
    "in": "path",
    "name": "id",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "From": {
    "description": "Rows at or after this time.",
    "in": "query",
    "name": "from",
    "required": false,
    "schema": {
     "format": "date-time",
     "type": "string"
    }
   },
   "Until": {
    "description": "Rows before this time.",
    "in": "query",
    "name": "until",
    "required": false,
    "schema": {
     "format": "date-time",
     "type": "string"
    }
   },
   "Door": {
    "description": "A door's name.",
    "in": "query",
    "name": "door",
    "required": false,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "Person": {
    "description": "A person's id or name.",
    "in": "query",
    "name": "person",
    "required": false,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "Credential": {
    "description": "A credential's id (a key's usage history).",
    "in": "query",
    "name": "credential",
    "required": false,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "Result": {
    "description": "Decisions that granted or denied.",
    "in": "query",
    "name": "result",
    "required": false,
    "schema": {
     "enum": [
      "grant",
      "deny"
     ]
    }
   },
   "Reason": {
    "description": "A deny reason.",
    "in": "query",
    "name": "reason",
    "required": false,
    "schema": {
     "$ref": "#/components/schemas/DenyReason"
    }
   },
   "Cursor": {
    "description": "next_cursor of the previous page.",
    "in": "query",
    "name": "cursor",
    "required": false,
    "schema": {
     "pattern": "^[1-9][0-9]{0,17}$",
     "type": "string"
    }
   },
   "Kind": {
    "description": "Alert kinds, comma-separated: forced, held_open, reader_offline, opening_unconfirmed, keypad_lockout, duress, out_of_hours (out_of_hours: a passcode or PIN tried outside the window or weekly schedule its issuer set).",
    "in": "query",
    "name": "kind",
    "required": false,
    "schema": {
     "maxLength": 200,
     "pattern": "^(forced|held_open|reader_offline|opening_unconfirmed|keypad_lockout|duress|out_of_hours)(,(forced|held_open|reader_offline|opening_unconfirmed|keypad_lockout|duress|out_of_hours))*$",
     "type": "string"
    }
   },
   "Acknowledged": {
    "description": "true: only acknowledged alerts; false: only those not acknowledged yet.",
    "in": "query",
    "name": "acknowledged",
    "required": false,
    "schema": {
     "type": "boolean"
    }
   },
   "PersonPath": {
    "description": "The person's id or name.",
    "in": "path",
    "name": "person",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   },
   "IdPath4": {
    "description": "The passcode's id.",
    "in": "path",
    "name": "id",
    "required": true,
    "schema": {
     "maxLength": 200,
     "minLength": 1,
     "type": "string"
    }
   }
  }
 }
}
"""#
}
