//! TypeScript and JavaScript: module names from file paths (`src/util.ts` is
//! `src/util`, `src/ui/index.ts` is `src/ui`), ES imports, `/** */` docs.

use super::driver::{text, Draft, Import, Spec};
use tree_sitter::Node;

pub(crate) struct TypeScript;

const EXTENSIONS: [&str; 8] = [".tsx", ".ts", ".mts", ".cts", ".jsx", ".js", ".mjs", ".cjs"];

fn strip_extension(path: &str) -> &str {
    EXTENSIONS
        .iter()
        .find_map(|e| path.strip_suffix(e))
        .unwrap_or(path)
}

impl Spec for TypeScript {
    fn module(&self, rel_path: &str, _root: Node<'_>, _src: &str) -> (String, String) {
        let mut qualified = strip_extension(rel_path);
        if let Some(dir) = qualified.strip_suffix("/index") {
            qualified = dir;
        }
        let name = qualified.rsplit('/').next().unwrap_or(qualified);
        (name.to_string(), qualified.to_string())
    }

    fn refine(&self, d: &mut Draft<'_>, _rel_path: &str, src: &str) -> bool {
        // `export function f`, or `export const f = () => ...` (declarator inside a
        // declaration inside the export).
        let parent = d.node.parent();
        let exported = parent.is_some_and(|p| p.kind() == "export_statement")
            || (d.node.kind() == "variable_declarator"
                && parent
                    .and_then(|p| p.parent())
                    .is_some_and(|p| p.kind() == "export_statement"));
        if exported {
            d.metadata.push(("visibility".into(), "export".into()));
        }
        let mut cursor = d.node.walk();
        for child in d.node.children(&mut cursor) {
            match child.kind() {
                "accessibility_modifier" => d
                    .metadata
                    .push(("visibility".into(), text(child, src).to_string())),
                "async" => d.metadata.push(("async".into(), "true".into())),
                "static" => d.metadata.push(("static".into(), "true".into())),
                _ => {}
            }
        }
        // `const f = async (x) => ...`: the function's own facts are on its value.
        if let Some(value) = d.node.child_by_field_name("value") {
            if let Some(p) = value.child_by_field_name("parameters") {
                d.metadata
                    .push(("parameters".into(), super::driver::collapse(text(p, src))));
            }
            if text(value, src).starts_with("async") {
                d.metadata.push(("async".into(), "true".into()));
            }
        }
        true
    }

    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>) {
        let Some(source) = node.child_by_field_name("source") else {
            return;
        };
        // `./ui/index` and `./ui` are the same module (see `module`).
        let raw = text(source, src).trim_matches(['"', '\'', '`']);
        let from = raw.strip_suffix("/index").unwrap_or(raw).to_string();
        let module_name = strip_extension(from.rsplit('/').next().unwrap_or(&from)).to_string();
        let module_dir = from
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .filter(|d| !d.is_empty());
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "import_clause");
        let Some(clause) = clause else {
            // `import './polyfill'`: the module itself.
            out.push(Import {
                name: module_name,
                qualifier: module_dir,
                alias: None,
            });
            return;
        };
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind() {
                // import Default from './m'
                "identifier" => out.push(Import {
                    name: text(part, src).to_string(),
                    qualifier: Some(from.clone()),
                    alias: None,
                }),
                // import * as ns from './m'
                "namespace_import" => {
                    let alias = part.named_child(0).map(|a| text(a, src).to_string());
                    out.push(Import {
                        name: module_name.clone(),
                        qualifier: module_dir.clone(),
                        alias: alias.filter(|a| *a != module_name),
                    });
                }
                // import { a, b as c } from './m'
                "named_imports" => {
                    let mut c2 = part.walk();
                    for spec in part.named_children(&mut c2) {
                        if spec.kind() != "import_specifier" {
                            continue;
                        }
                        let Some(name) = spec.child_by_field_name("name") else {
                            continue;
                        };
                        out.push(Import {
                            name: text(name, src).trim_matches(['"', '\'']).to_string(),
                            qualifier: Some(from.clone()),
                            alias: spec
                                .child_by_field_name("alias")
                                .map(|a| text(a, src).to_string()),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn doc_line<'s>(&self, comment: &'s str) -> Option<&'s str> {
        let body = comment.strip_prefix("/**")?.strip_suffix("*/")?;
        Some(body)
    }

    fn wrappers(&self) -> &'static [&'static str] {
        &["export_statement"]
    }

    fn doc(&self, node: Node<'_>, src: &str) -> Option<String> {
        // `const f = () => ...` keeps its doc before the declaration statement.
        let decl = if node.kind() == "variable_declarator" {
            node.parent()?
        } else {
            return None;
        };
        let anchor = decl
            .parent()
            .filter(|p| p.kind() == "export_statement")
            .unwrap_or(decl);
        let prev = anchor.prev_sibling().filter(|p| p.kind() == "comment")?;
        let body = self.doc_line(text(prev, src))?;
        Some(clean_jsdoc(body))
    }
}

/// `/** a\n * b */` without its markers.
pub(crate) fn clean_jsdoc(body: &str) -> String {
    body.lines()
        .map(|l| l.trim().trim_start_matches('*').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
