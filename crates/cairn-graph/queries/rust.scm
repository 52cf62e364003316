; Cairn's extraction query for Rust (captures: see cairn_graph::extract).
; The first pattern that matches a node decides its kind.

; Definitions
(mod_item name: (identifier) @name body: (declaration_list)) @definition.module
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(impl_item type: (_) @name) @definition.impl
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(type_item name: (type_identifier) @name) @definition.type_alias
(macro_definition name: (identifier) @name) @definition.function

; Calls: f(), m::f(), Type::f(), obj.f(), and their turbofish forms (a receiver,
; the value before `.f()`, is not a path)
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (scoped_identifier path: (_) @call.qualifier name: (identifier) @call.name)) @call
(call_expression
  function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name)) @call
(call_expression
  function: (generic_function function: (identifier) @call.name)) @call
(call_expression
  function: (generic_function
    function: (scoped_identifier path: (_) @call.qualifier name: (identifier) @call.name))) @call
(call_expression
  function: (generic_function
    function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name))) @call

; Calls inside macro arguments (`assert_eq!(f(x), 1)`, `format!("{}", m::g())`),
; which tree-sitter leaves as token trees: a name right before a parenthesised tree.
(token_tree (identifier) @call.name @call . (token_tree))
(token_tree
  (identifier) @call.qualifier . "::" . (identifier) @call.name @call . (token_tree))

; Local bindings, which type a method call's receiver (`x.f()`) when their type is
; written or constructed (`x: Engine`, `let x = Engine::new()`); untyped ones
; (patterns, closure parameters) hide earlier bindings of the same name. Struct
; fields type `self.field.f()`.
(parameter pattern: (identifier) @binding.name) @binding
(let_declaration pattern: (identifier) @binding.name) @binding
(for_expression pattern: (identifier) @binding.name) @binding
(closure_parameters (identifier) @binding.name) @binding
(tuple_struct_pattern (identifier) @binding.name) @binding
(field_declaration name: (field_identifier) @field.name) @field

; Imports: the use tree is split by the Rust extractor
(use_declaration argument: (_) @import)

; impl Trait for Type
(impl_item trait: (_) @implements)

; type Alias = Target: the alias references the type it stands for (method calls on
; a value typed by the alias are looked up there)
(type_item type: (_) @references)

; fn f() -> Type: the function references the type it returns (a method called on
; what it returns is looked up there)
(function_item return_type: (_) @references)
(function_signature_item return_type: (_) @references)
