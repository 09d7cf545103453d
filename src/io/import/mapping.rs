//! Column roles: which column is the customer id, the date, the amount, and the optional
//! quantity, cost, margin, channel and product. Matched from header names in English, German,
//! French, Spanish, Italian, Dutch and Portuguese, else from the column types; addressed by
//! header name or 1-based position; remembered per file layout through a signature.

use super::{ColumnType, ImportError, ParsedTable};
use serde::{Deserialize, Serialize};

/// What a column means for the transaction log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Customer id (text).
    Customer,
    /// Purchase date.
    Date,
    /// Amount paid.
    Amount,
    /// Quantity.
    Quantity,
    /// Cost of the goods sold.
    Cost,
    /// Margin (profit).
    Margin,
    /// Sales channel.
    Channel,
    /// Product or category.
    Product,
}

impl Role {
    /// Every role, required ones first.
    pub const ALL: [Role; 8] = [
        Role::Customer,
        Role::Date,
        Role::Amount,
        Role::Quantity,
        Role::Cost,
        Role::Margin,
        Role::Channel,
        Role::Product,
    ];

    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Customer => "customer id",
            Role::Date => "date",
            Role::Amount => "amount",
            Role::Quantity => "quantity",
            Role::Cost => "cost",
            Role::Margin => "margin",
            Role::Channel => "channel",
            Role::Product => "product",
        }
    }

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Role::Customer => &[
                "customer id",
                "customer",
                "customerid",
                "customer no",
                "customer number",
                "cust id",
                "custid",
                "client",
                "client id",
                "clientid",
                "user id",
                "userid",
                "user",
                "member id",
                "account id",
                "buyer",
                "shopper id",
                "id client",
                "numero client",
                "code client",
                "kunde",
                "kunden id",
                "kundennummer",
                "kunden nr",
                "kundennr",
                "kunde id",
                "cliente",
                "id cliente",
                "codigo cliente",
                "numero cliente",
                "codice cliente",
                "klant",
                "klant id",
                "klantnummer",
                "klantnr",
                "klantid",
                "customer code",
                "email",
                "e mail",
            ],
            Role::Date => &[
                "date",
                "order date",
                "purchase date",
                "transaction date",
                "invoice date",
                "invoicedate",
                "orderdate",
                "timestamp",
                "ts",
                "datetime",
                "created at",
                "time",
                "order time",
                "datum",
                "bestelldatum",
                "kaufdatum",
                "rechnungsdatum",
                "buchungsdatum",
                "date commande",
                "date achat",
                "date facture",
                "fecha",
                "fecha pedido",
                "fecha compra",
                "data",
                "data ordine",
                "data acquisto",
                "besteldatum",
                "aankoopdatum",
                "factuurdatum",
                "data compra",
                "data pedido",
                "day",
                "tag",
                "jour",
                "dia",
                "giorno",
                "dag",
            ],
            Role::Amount => &[
                "amount",
                "total",
                "revenue",
                "sales",
                "value",
                "price",
                "order total",
                "order value",
                "net amount",
                "gross amount",
                "spend",
                "sum",
                "betrag",
                "umsatz",
                "summe",
                "gesamt",
                "gesamtbetrag",
                "preis",
                "wert",
                "montant",
                "montant ttc",
                "total ttc",
                "prix",
                "chiffre d affaires",
                "valeur",
                "importe",
                "monto",
                "precio",
                "valor",
                "importo",
                "prezzo",
                "totale",
                "valore",
                "bedrag",
                "omzet",
                "prijs",
                "waarde",
                "totaal",
                "valor total",
                "montante",
                "preco",
            ],
            Role::Quantity => &[
                "quantity",
                "qty",
                "units",
                "menge",
                "anzahl",
                "stuck",
                "quantite",
                "qte",
                "cantidad",
                "quantita",
                "aantal",
                "quantidade",
            ],
            Role::Cost => &[
                "cost", "costs", "cogs", "kosten", "cout", "coste", "costo", "custo",
            ],
            Role::Margin => &[
                "margin",
                "profit",
                "gross margin",
                "marge",
                "gewinn",
                "deckungsbeitrag",
                "margen",
                "beneficio",
                "margine",
                "profitto",
                "winst",
                "margem",
                "lucro",
            ],
            Role::Channel => &[
                "channel",
                "source",
                "store",
                "shop",
                "kanal",
                "vertriebskanal",
                "canal",
                "canale",
                "kanaal",
                "loja",
                "tienda",
                "negozio",
                "winkel",
                "magasin",
            ],
            Role::Product => &[
                "product",
                "product id",
                "item",
                "sku",
                "category",
                "produkt",
                "artikel",
                "artikelnummer",
                "kategorie",
                "produit",
                "article",
                "categorie",
                "producto",
                "articulo",
                "categoria",
                "prodotto",
                "articolo",
                "produto",
                "item id",
            ],
        }
    }
}

/// Lower case, accents removed, punctuation and underscores turned into single spaces.
pub fn normalise_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            c => c,
        };
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

fn score(role: Role, norm: &str) -> u32 {
    let syn = role.synonyms();
    if syn.contains(&norm) {
        return 3;
    }
    let words: Vec<&str> = norm.split(' ').collect();
    if syn
        .iter()
        .any(|s| !s.contains(' ') && s.len() > 2 && words.contains(s))
    {
        return 2;
    }
    if syn.iter().any(|s| s.contains(' ') && norm.contains(s)) {
        return 1;
    }
    0
}

/// The role a header name matches best, if any.
pub fn role_of_header(name: &str) -> Option<Role> {
    let norm = normalise_header(name);
    Role::ALL
        .iter()
        .map(|&r| (r, score(r, &norm)))
        .filter(|(_, s)| *s > 0)
        .max_by_key(|(_, s)| *s)
        .map(|(r, _)| r)
}

/// Which column (0-based) plays each role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Mapping {
    /// Customer id column.
    pub customer: Option<u32>,
    /// Date column.
    pub date: Option<u32>,
    /// Amount column.
    pub amount: Option<u32>,
    /// Quantity column.
    pub quantity: Option<u32>,
    /// Cost column (margin = amount − cost when there is no margin column).
    pub cost: Option<u32>,
    /// Margin column.
    pub margin: Option<u32>,
    /// Channel column.
    pub channel: Option<u32>,
    /// Product column.
    pub product: Option<u32>,
    /// Signature of the file layout this mapping was made for (see [`layout_signature`]).
    pub layout: String,
}

impl Mapping {
    /// The column of a role.
    pub fn get(&self, role: Role) -> Option<u32> {
        match role {
            Role::Customer => self.customer,
            Role::Date => self.date,
            Role::Amount => self.amount,
            Role::Quantity => self.quantity,
            Role::Cost => self.cost,
            Role::Margin => self.margin,
            Role::Channel => self.channel,
            Role::Product => self.product,
        }
    }

    /// Sets the column of a role.
    pub fn set(&mut self, role: Role, col: Option<u32>) {
        let slot = match role {
            Role::Customer => &mut self.customer,
            Role::Date => &mut self.date,
            Role::Amount => &mut self.amount,
            Role::Quantity => &mut self.quantity,
            Role::Cost => &mut self.cost,
            Role::Margin => &mut self.margin,
            Role::Channel => &mut self.channel,
            Role::Product => &mut self.product,
        };
        *slot = col;
    }

    /// Whether the mapping still fits a table (same layout signature).
    pub fn fits(&self, table: &ParsedTable) -> bool {
        self.layout == layout_signature(table)
    }
}

/// A stable signature of a file layout: an FNV-1a hash of the normalised header names (or of
/// the column count and types without a header), as 16 hex digits prefixed with `h` or `n`.
///
/// The hash is [`crate::io::key::StableHash`] (FNV-1a): the signature is persisted (remembered
/// mappings are looked up by it), so its values must never change.
pub fn layout_signature(table: &ParsedTable) -> String {
    let mut h = crate::io::key::StableHash::default();
    let mut eat = |s: &str| {
        h.eat(s.bytes().chain(std::iter::once(0x1f)));
    };
    if table.detection.has_header {
        for name in &table.headers {
            eat(&normalise_header(name));
        }
        format!("h{:016x}", h.value())
    } else {
        for c in &table.detection.columns {
            eat(c.kind.name());
        }
        format!("n{:016x}", h.value())
    }
}

/// Resolves a column given by header name (case, accents and punctuation ignored) or by
/// 1-based position.
///
/// # Errors
/// [`ImportError::UnknownColumn`] when neither matches.
pub fn resolve_column(table: &ParsedTable, spec: &str) -> Result<u32, ImportError> {
    let norm = normalise_header(spec);
    if let Some(i) = table
        .headers
        .iter()
        .position(|h| normalise_header(h) == norm)
    {
        return u32::try_from(i).map_err(|_| unknown(table, spec));
    }
    if let Ok(p) = spec.trim().parse::<u32>() {
        if p >= 1 && p <= table.column_count() {
            return Ok(p - 1);
        }
    }
    Err(unknown(table, spec))
}

fn unknown(table: &ParsedTable, spec: &str) -> ImportError {
    ImportError::UnknownColumn {
        spec: spec.to_string(),
        available: table.headers.clone(),
    }
}

fn kind_fits(role: Role, kind: ColumnType) -> bool {
    match role {
        Role::Date => kind.is_date(),
        Role::Amount | Role::Quantity | Role::Cost | Role::Margin => kind.is_numeric(),
        Role::Customer | Role::Channel | Role::Product => !kind.is_date(),
    }
}

fn loosely_fits(role: Role, c: &super::ColumnInfo) -> bool {
    match role {
        Role::Date => c.date_format.is_some() || c.kind == ColumnType::Text,
        Role::Amount | Role::Quantity | Role::Cost | Role::Margin => {
            c.kind == ColumnType::Text && c.date_format.is_none()
        }
        _ => false,
    }
}

/// Guesses the role of each column: header names first (exact synonyms beat partial ones),
/// then, for required roles still open, the column types (the first date column, the last
/// decimal column for the amount, the first remaining text or integer column for the id).
pub fn guess_mapping(table: &ParsedTable) -> Mapping {
    let cols = &table.detection.columns;
    let mut m = Mapping {
        layout: layout_signature(table),
        ..Default::default()
    };
    let mut used = vec![false; cols.len()];
    if table.detection.has_header {
        let mut order: Vec<(u32, Role, usize)> = Vec::new();
        for (j, c) in cols.iter().enumerate() {
            let norm = normalise_header(&c.name);
            for r in Role::ALL {
                let s = score(r, &norm);
                // A full name match is trusted whatever the values look like (validation
                // reports the bad ones); a partial match must also fit the column's type.
                if s > 0 && (kind_fits(r, c.kind) || (s >= 2 && loosely_fits(r, c))) {
                    order.push((s, r, j));
                }
            }
        }
        order.sort_by_key(|o| std::cmp::Reverse(o.0));
        for (_, r, j) in order {
            if m.get(r).is_none() && !used.get(j).copied().unwrap_or(true) {
                m.set(r, u32::try_from(j).ok());
                if let Some(u) = used.get_mut(j) {
                    *u = true;
                }
            }
        }
    }
    let mut take = |m: &mut Mapping, role: Role, pick: &dyn Fn(ColumnType) -> bool, last: bool| {
        if m.get(role).is_some() {
            return;
        }
        let mut it = cols
            .iter()
            .enumerate()
            .filter(|(j, c)| !used.get(*j).copied().unwrap_or(true) && pick(c.kind));
        let found = if last { it.last() } else { it.next() };
        if let Some((j, _)) = found {
            m.set(role, u32::try_from(j).ok());
            if let Some(u) = used.get_mut(j) {
                *u = true;
            }
        }
    };
    take(&mut m, Role::Date, &|k| k.is_date(), false);
    take(&mut m, Role::Amount, &|k| k == ColumnType::Decimal, true);
    take(
        &mut m,
        Role::Customer,
        &|k| matches!(k, ColumnType::Text | ColumnType::Integer),
        false,
    );
    take(&mut m, Role::Amount, &|k| k.is_numeric(), true);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_seven_languages_match() {
        assert_eq!(role_of_header("Kundennummer"), Some(Role::Customer));
        assert_eq!(role_of_header("Montant TTC"), Some(Role::Amount));
        assert_eq!(role_of_header("Fecha"), Some(Role::Date));
        assert_eq!(role_of_header("Importo"), Some(Role::Amount));
        assert_eq!(role_of_header("Klant_ID"), Some(Role::Customer));
        assert_eq!(role_of_header("Preço"), Some(Role::Amount));
        assert_eq!(role_of_header("Order Date"), Some(Role::Date));
        assert_eq!(role_of_header("colour"), None);
    }

    #[test]
    fn normalising_drops_case_accents_and_punctuation() {
        assert_eq!(normalise_header("  Quantité_(pcs) "), "quantite pcs");
    }
}
