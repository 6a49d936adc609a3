//! The legal pages every page's footer links to, in French: the legal notice, personal data
//! (RGPD art. 13) and the accessibility statement (loi n° 2005-102, art. 47; RGAA 4.1). Who runs
//! the service and where to write come from the configuration (`MCP_OPERATOR_NAME`,
//! `MCP_OPERATOR_CONTACT`).

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};

use crate::pages::{escape, page};
use crate::state::AppState;

fn legal(state: &AppState, title: &str, body: String) -> HttpResponse {
    page(
        &state.config,
        StatusCode::OK,
        title,
        &format!("<h1>{title}</h1>\n{body}"),
        None,
    )
}

/// The legal notice.
#[get("/mentions-legales")]
pub async fn legal_notice(state: web::Data<AppState>) -> HttpResponse {
    let operator = escape(&state.config.operator_name);
    let contact = escape(&state.config.operator_contact);
    legal(
        &state,
        "Mentions légales",
        format!(
            "<h2>Éditeur</h2>\n<p>Mon Compte Partenaire est le service en ligne par lequel les caisses d'allocations familiales (Caf) donnent à leurs partenaires — communes, centres communaux d'action sociale, départements, bailleurs sociaux, établissements de santé… — l'accès aux informations des allocataires que leurs missions requièrent, selon la convention signée avec chacun. Il est opéré par {operator}.</p>\n\
<h2>Contact</h2>\n<p>Pour toute question sur le service, adressez-vous d'abord à l'administrateur de votre organisme, puis au centre de services de votre Caf. Pour écrire à l'opérateur : <a href=\"mailto:{contact}\">{contact}</a>.</p>\n\
<h2>Accès réservé</h2>\n<p>L'accès est réservé aux personnes habilitées par leur organisme partenaire ou par la Caf. Toute connexion et toute consultation sont tracées et contrôlées ; un accès ou une tentative d'accès sans droit est puni par les articles 323-1 et suivants du code pénal.</p>\n"
        ),
    )
}

/// What is done with personal data, and the rights of the people concerned.
#[get("/donnees-personnelles")]
pub async fn personal_data(state: web::Data<AppState>) -> HttpResponse {
    let operator = escape(&state.config.operator_name);
    let contact = escape(&state.config.operator_contact);
    legal(
        &state,
        "Données personnelles",
        format!(
            "<h2>Responsables et finalités</h2>\n<p>Chaque Caf est responsable des traitements qu'elle met en œuvre pour ses partenaires ; {operator} opère le service. Les données des comptes (nom, fonction, adresse électronique professionnelle, téléphone, organisme) servent à délivrer les accès, à les gérer et à les contrôler ; les données des allocataires ne sont montrées qu'à travers le profil d'habilitation de la personne, pour les missions prévues par la convention.</p>\n\
<h2>Traces</h2>\n<p>Chaque action et chaque refus sont tracés au nom de la personne qui agit. Les traces de connexion sont conservées six mois ; celles des consultations et des décisions sur les accès, six ans, puis effacées.</p>\n\
<h2>Vos droits</h2>\n<p>Vous disposez d'un droit d'accès, de rectification, de limitation et, dans les cas prévus par le règlement général sur la protection des données (articles 15 à 21), d'opposition. Adressez-vous au délégué à la protection des données de votre Caf, ou à <a href=\"mailto:{contact}\">{contact}</a>. Vous pouvez aussi saisir la Commission nationale de l'informatique et des libertés (CNIL).</p>\n\
<h2>Cookies</h2>\n<p>Les pages de connexion et de compte déposent deux cookies strictement nécessaires, sans mesure d'audience : l'un protège les formulaires contre leur envoi depuis un autre site, l'autre reconnaît l'appareil de la dernière personne connectée pour ne pas la bloquer à cause des erreurs d'autrui.</p>\n"
        ),
    )
}

/// The accessibility statement.
#[get("/accessibilite")]
pub async fn accessibility(state: web::Data<AppState>) -> HttpResponse {
    let operator = escape(&state.config.operator_name);
    let contact = escape(&state.config.operator_contact);
    legal(
        &state,
        "Accessibilité",
        format!(
            "<p>{operator} s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>\n\
<h2>État de conformité</h2>\n<p>Les pages de connexion, d'activation de compte et de mot de passe oublié sont <strong>partiellement conformes</strong> au référentiel général d'amélioration de l'accessibilité (RGAA 4.1) : elles sont vérifiées automatiquement à chaque version (aucune erreur relevée par axe-core dans Chromium), sans audit complet à ce jour.</p>\n\
<h2>Retour d'information et contact</h2>\n<p>Si vous ne parvenez pas à accéder à un contenu ou à un service, écrivez à <a href=\"mailto:{contact}\">{contact}</a> pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.</p>\n\
<h2>Voies de recours</h2>\n<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez écrire au Défenseur des droits ou le contacter par son formulaire en ligne.</p>\n"
        ),
    )
}
