; Cairn's extraction query for JavaScript (captures: see cairn_graph::extract).

; Definitions
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (identifier) @name) @definition.class
(method_definition name: (_) @name) @definition.method
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(field_definition
  property: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.method

; Calls: f(), obj.f(), new C()
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (member_expression object: (_) @call.qualifier property: (_) @call.name)) @call
(new_expression constructor: (identifier) @call.name) @call
(new_expression
  constructor: (member_expression object: (_) @call.qualifier property: (_) @call.name)) @call

; Imports
(import_statement) @import

; class C extends B
(class_heritage (identifier) @extends)
(class_heritage (member_expression) @extends)
