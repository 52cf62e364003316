; Cairn's extraction query for Zig (captures: see cairn_graph::extract).

; Definitions: `const X = struct {...}` and friends name their container
(variable_declaration (identifier) @name (struct_declaration)) @definition.struct
(variable_declaration (identifier) @name (union_declaration)) @definition.struct
(variable_declaration (identifier) @name (opaque_declaration)) @definition.struct
(variable_declaration (identifier) @name (enum_declaration)) @definition.enum
(variable_declaration (identifier) @name (error_set_declaration)) @definition.enum
(function_declaration name: (identifier) @name) @definition.function
(test_declaration (string (string_content) @name)) @definition.test
(test_declaration (identifier) @name) @definition.test
; Declarations at container level; the extractor drops imports and `var`s.
(source_file (variable_declaration (identifier) @name) @definition.constant)
(struct_declaration (variable_declaration (identifier) @name) @definition.constant)

; Calls: f(), ns.f(), obj.f()
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (field_expression object: (_) @call.qualifier member: (identifier) @call.name)) @call

; Imports: const std = @import("std");
(variable_declaration
  (identifier)
  (builtin_function (builtin_identifier) @_builtin)
  (#eq? @_builtin "@import")) @import
