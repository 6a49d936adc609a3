//! What `mcp seed --demo` prints: who can sign in, and a first consultation to try.

use mcp_persistence::use_cases::demo::DemoWorld;

/// The demo world, described for the console in French.
pub fn describe(world: &DemoWorld, bind: &str) -> String {
    let base = format!("http://{bind}");
    let mut out = String::from(
        "Monde de démonstration créé (personnes, organismes et dossiers inventés).\n\n\
         Comptes (identifiant, mot de passe) :\n",
    );
    let width = world
        .people
        .iter()
        .map(|p| p.what.chars().count())
        .max()
        .unwrap_or(0);
    for p in &world.people {
        let pad = width - p.what.chars().count();
        out.push_str(&format!(
            "  {}{}  {:<22} {}  {}\n",
            p.what,
            " ".repeat(pad),
            p.full_name,
            p.identifier,
            p.password
        ));
    }
    let agent = world
        .people
        .iter()
        .find(|p| p.what.contains("habilité"))
        .expect("the demo has a habilitated agent");
    out.push_str(&format!(
        "\nCaf : {caf}\nPartenaire en mode délégué : {delegated}\nPartenaire en mode centralisé : {centralised}\n\
         Dossiers d'allocataires : 50, dont {numeros}\n\n\
         Première consultation d'un dossier, par l'agent habilité :\n\
         \x20 TOKEN=$(curl -s {base}/api/v1/auth/login -H 'Content-Type: application/json' \\\n\
         \x20   -d '{{\"identifier\":\"{id}\",\"password\":\"{pw}\"}}' | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\n\
         \x20 curl -s -H \"Authorization: Bearer $TOKEN\" '{base}/api/v1/cdap/files/{numero}?mission_id={mission}'\n\n\
         Explorateur de l'API : {base}/swagger-ui/\n",
        caf = world.caf_id,
        delegated = world.delegated_partner_id,
        centralised = world.centralised_partner_id,
        numeros = world.numeros.join(", "),
        id = agent.identifier,
        pw = agent.password,
        numero = world.numeros[0],
        mission = world.mission_id,
    ));
    out
}
