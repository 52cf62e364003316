; Cairn's extraction query for Go (captures: see cairn_graph::extract).

; Definitions (a type's kind is decided by the extractor from its type expression)
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(type_spec name: (type_identifier) @name) @definition.type_alias
(type_alias name: (type_identifier) @name) @definition.type_alias
(method_elem name: (field_identifier) @name) @definition.method
(const_spec name: (identifier) @name) @definition.constant

; Calls: f(), pkg.F(), obj.M()
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (selector_expression operand: (_) @call.qualifier field: (field_identifier) @call.name)) @call

; Imports
(import_spec) @import
