; Cairn's extraction query for Python (captures: see cairn_graph::extract).

; Definitions
(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function
; Module-level assignments; the extractor keeps the UPPER_CASE ones as constants.
(module (expression_statement (assignment left: (identifier) @name)) @definition.constant)

; Calls: f(), obj.f(), mod.sub.f()
(call function: (identifier) @call.name) @call
(call function: (attribute object: (_) @call.qualifier attribute: (identifier) @call.name)) @call

; Imports
(import_statement) @import
(import_from_statement) @import

; class C(Base, pkg.Mixin)
(class_definition superclasses: (argument_list (identifier) @extends))
(class_definition superclasses: (argument_list (attribute) @extends))
