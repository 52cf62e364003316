//! Go: packages named by their `package` clause and qualified by directory, methods
//! qualified by their receiver type, `TestXxx` functions of `_test.go` files.

use super::driver::{collapse, strip_generics, text, Draft, Import, Spec};
use crate::model::{BlockKind, Definition};
use tree_sitter::Node;

pub(crate) struct Go;

impl Go {
    fn package(root: Node<'_>, src: &str) -> Option<String> {
        let mut cursor = root.walk();
        let clause = root
            .named_children(&mut cursor)
            .find(|c| c.kind() == "package_clause")?;
        let name = clause.named_child(0)?;
        Some(text(name, src).to_string())
    }
}

impl Spec for Go {
    /// A file of package `store` in `internal/store/` is module `store` with qualified
    /// name `internal/store`; at the root, the package name.
    fn module(&self, rel_path: &str, root: Node<'_>, src: &str) -> (String, String) {
        let dir = rel_path.rsplit_once('/').map_or("", |(d, _)| d);
        let package = Go::package(root, src)
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or("main").to_string());
        let qualified = if dir.is_empty() {
            package.clone()
        } else {
            dir.to_string()
        };
        (package, qualified)
    }

    fn refine(&self, d: &mut Draft<'_>, rel_path: &str, src: &str) -> bool {
        let node = d.node;
        let exported = d.name.chars().next().is_some_and(char::is_uppercase);
        d.metadata.push((
            "visibility".into(),
            if exported { "exported" } else { "unexported" }.into(),
        ));
        match node.kind() {
            "function_declaration" => {
                let is_test = ["Test", "Benchmark", "Fuzz", "Example"]
                    .iter()
                    .any(|p| d.name.starts_with(p));
                if is_test && rel_path.ends_with("_test.go") {
                    d.kind = BlockKind::Test;
                }
            }
            "method_declaration" => {
                let param = node
                    .child_by_field_name("receiver")
                    .and_then(|r| r.named_child(0));
                let receiver = param
                    .and_then(|p| p.child_by_field_name("type"))
                    .map(|t| strip_generics(text(t, src)));
                if let Some(receiver) = receiver {
                    d.metadata.push(("receiver".into(), receiver.clone()));
                    if let Some(var) = param.and_then(|p| p.child_by_field_name("name")) {
                        d.metadata
                            .push(("receiver_name".into(), text(var, src).to_string()));
                    }
                    d.qualified = Some(format!("{}.{receiver}.{}", d.parent_qualified, d.name));
                }
            }
            "type_spec" => {
                d.kind = match node.child_by_field_name("type").map(|t| t.kind()) {
                    Some("struct_type") => BlockKind::Struct,
                    Some("interface_type") => BlockKind::Interface,
                    _ => BlockKind::TypeAlias,
                };
                d.signature = Some(format!("type {}", signature_head(node, src)));
            }
            "type_alias" => d.signature = Some(format!("type {}", collapse(text(node, src)))),
            "const_spec" => {
                d.signature = Some(format!("const {}", collapse(text(node, src))));
            }
            _ => {}
        }
        true
    }

    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>) {
        let Some(path) = node.child_by_field_name("path") else {
            return;
        };
        let path = text(path, src).trim_matches(['"', '`']);
        let (qualifier, name) = match path.rsplit_once('/') {
            Some((q, n)) => (Some(q.to_string()), n.to_string()),
            None => (None, path.to_string()),
        };
        let alias = node
            .child_by_field_name("name")
            .map(|a| text(a, src).to_string())
            .filter(|a| a != "_" && a != "." && *a != name);
        out.push(Import {
            name,
            qualifier,
            alias,
        });
    }

    fn call_qualifier(&self, owner: &Definition, qualifier: String) -> String {
        let meta = |key: &str| {
            owner
                .metadata
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match (meta("receiver_name"), meta("receiver")) {
            (Some(var), Some(ty)) if var == qualifier => ty.to_string(),
            _ => qualifier,
        }
    }

    fn doc_line<'s>(&self, comment: &'s str) -> Option<&'s str> {
        let line = comment.strip_prefix("//")?;
        Some(line.strip_prefix(' ').unwrap_or(line).trim_end())
    }

    fn wrappers(&self) -> &'static [&'static str] {
        &["type_declaration", "const_declaration"]
    }
}

/// `Server struct{ ... }` → `Server struct`.
fn signature_head(node: Node<'_>, src: &str) -> String {
    let t = text(node, src);
    let cut = t.find(['{', '\n']).unwrap_or(t.len());
    collapse(&t[..cut])
}
