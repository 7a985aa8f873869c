<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="fr">
  <context>
    <name>ResorptionSIG</name>
    <message>
      <source>Droits d'accès au stockage partagé</source>
      <translation>Access rights to the shared store</translation>
    </message>
    <message>
      <source>Afficher les droits</source>
      <translation>Show the rights</translation>
    </message>
    <message>
      <source>Un login PostgreSQL existant (créé par l'administrateur de la base, ou par « python3 -m plugin access … grant … --create-login »).</source>
      <translation>An existing PostgreSQL login (created by the database administrator, or by "python3 -m plugin access … grant … --create-login").</translation>
    </message>
    <message>
      <source>ex. 93, 2A, 974</source>
      <translation>e.g. 93, 2A, 974</translation>
    </message>
    <message>
      <source>Tout le territoire national</source>
      <translation>The whole country</translation>
    </message>
    <message>
      <source>Lit les procédures et l'identité du propriétaire</source>
      <translation>Reads the procedures and the owner's identity</translation>
    </message>
    <message>
      <source>Pour un opérateur : l'identifiant (uuid) de sa structure.</source>
      <translation>For an operator: the identifier (uuid) of its organisation.</translation>
    </message>
    <message>
      <source>Donner ces droits</source>
      <translation>Give these rights</translation>
    </message>
    <message>
      <source>Retirer tous ses droits</source>
      <translation>Take all its rights</translation>
    </message>
    <message>
      <source>Connexion PostgreSQL</source>
      <translation>PostgreSQL connection</translation>
    </message>
    <message>
      <source>Login</source>
      <translation>Login</translation>
    </message>
    <message>
      <source>Rôle</source>
      <translation>Role</translation>
    </message>
    <message>
      <source>Départements</source>
      <translation>Départements</translation>
    </message>
    <message>
      <source>Région</source>
      <translation>Région</translation>
    </message>
    <message>
      <source>Structure (opérateur)</source>
      <translation>Organisation (operator)</translation>
    </message>
    <message>
      <source>Territoires</source>
      <translation>Territories</translation>
    </message>
    <message>
      <source>Procédures</source>
      <translation>Procedures</translation>
    </message>
    <message>
      <source>Accordé par</source>
      <translation>Granted by</translation>
    </message>
    <message>
      <source>national</source>
      <translation>national</translation>
    </message>
    <message>
      <source>Saisissez le login.</source>
      <translation>Enter the login.</translation>
    </message>
    <message>
      <source>oui</source>
      <translation>yes</translation>
    </message>
    <message>
      <source>non</source>
      <translation>no</translation>
    </message>
    <message>
      <source>Droits de {0} enregistrés.</source>
      <translation>Rights of {0} saved.</translation>
    </message>
    <message>
      <source>Droits de {0} retirés.</source>
      <translation>Rights of {0} taken away.</translation>
    </message>
    <message>
      <source>Stockage : {0}</source>
      <translation>Store: {0}</translation>
    </message>
    <message>
      <source>Du</source>
      <translation>From</translation>
    </message>
    <message>
      <source>au</source>
      <translation>to</translation>
    </message>
    <message>
      <source>Double-cliquer pour voir l'historique de l'objet</source>
      <translation>Double-click to see the object's history</translation>
    </message>
    <message>
      <source>Actualiser</source>
      <translation>Refresh</translation>
    </message>
    <message>
      <source>Personne</source>
      <translation>Person</translation>
    </message>
    <message>
      <source>Commune</source>
      <translation>Municipality</translation>
    </message>
    <message>
      <source>Quand</source>
      <translation>When</translation>
    </message>
    <message>
      <source>Qui</source>
      <translation>Who</translation>
    </message>
    <message>
      <source>Quoi</source>
      <translation>What</translation>
    </message>
    <message>
      <source>Objet</source>
      <translation>Object</translation>
    </message>
    <message>
      <source>Aucun stockage ouvert.</source>
      <translation>No store open.</translation>
    </message>
    <message>
      <source>Toutes</source>
      <translation>All</translation>
    </message>
    <message>
      <source>Tout le monde</source>
      <translation>Everyone</translation>
    </message>
    <message>
      <source>{0} modifications (les 200 plus récentes au plus)</source>
      <translation>{0} changes (the 200 most recent at most)</translation>
    </message>
    <message>
      <source>Ajouter…</source>
      <translation>Add…</translation>
    </message>
    <message>
      <source>Ouvrir</source>
      <translation>Open</translation>
    </message>
    <message>
      <source>Retirer</source>
      <translation>Remove</translation>
    </message>
    <message>
      <source>Joindre des fichiers</source>
      <translation>Attach files</translation>
    </message>
    <message>
      <source>Documents et photos (*.pdf *.jpg *.jpeg *.png *.odt *.docx *.xlsx *.ods);;Tous les fichiers (*)</source>
      <translation>Documents and photos (*.pdf *.jpg *.jpeg *.png *.odt *.docx *.xlsx *.ods);;All files (*)</translation>
    </message>
    <message>
      <source>Pièces jointes</source>
      <translation>Attachments</translation>
    </message>
    <message>
      <source>Sélectionnez un seul objet enregistré dans la liste.</source>
      <translation>Select one saved object in the list.</translation>
    </message>
    <message>
      <source>Pièces jointes de « {0} »</source>
      <translation>Attachments of “{0}”</translation>
    </message>
    <message>
      <source>« {0} » est déjà jointe (même contenu).</source>
      <translation>“{0}” is already attached (same content).</translation>
    </message>
    <message>
      <source>Retirer « {0} » ? Le fichier reste dans l'historique du stockage.</source>
      <translation>Remove “{0}”? The file stays in the store's history.</translation>
    </message>
    <message>
      <source>Ajoutée le {0} par {1}</source>
      <translation>Added on {0} by {1}</translation>
    </message>
    <message>
      <source>Calcul en cours…</source>
      <translation>Calculating…</translation>
    </message>
    <message>
      <source>Aucune donnée</source>
      <translation>No data</translation>
    </message>
    <message>
      <source>— Sites ouverts</source>
      <translation>— Open sites</translation>
    </message>
    <message>
      <source>— Personnes</source>
      <translation>— People</translation>
    </message>
    <message>
      <source>{0} : {1} sites, {2} personnes</source>
      <translation>{0}: {1} sites, {2} people</translation>
    </message>
    <message>
      <source>Fermer le site</source>
      <translation>Close the site</translation>
    </message>
    <message>
      <source>« {0} » — {1} — {2} personnes</source>
      <translation>“{0}” — {1} — {2} people</translation>
    </message>
    <message>
      <source>(sans nom)</source>
      <translation>(unnamed)</translation>
    </message>
    <message>
      <source>nombre inconnu de</source>
      <translation>an unknown number of</translation>
    </message>
    <message>
      <source>Aucun : la carte du territoire</source>
      <translation>None: the territory map</translation>
    </message>
    <message>
      <source>Une page par commune ayant des sites</source>
      <translation>One page per municipality with sites</translation>
    </message>
    <message>
      <source>Une fiche par site</source>
      <translation>One sheet per site</translation>
    </message>
    <message>
      <source>Exporter le PDF</source>
      <translation>Export the PDF</translation>
    </message>
    <message>
      <source>PDF (*.pdf)</source>
      <translation>PDF (*.pdf)</translation>
    </message>
    <message>
      <source>Préparer la carte COPIL…</source>
      <translation>Prepare the COPIL map…</translation>
    </message>
    <message>
      <source>Carte, chiffres et évolution d'un territoire pour le comité de pilotage</source>
      <translation>Map, figures and trend of a territory for the steering committee</translation>
    </message>
    <message>
      <source>Ouvrez d'abord un stockage (menu Résorption SIG › Ouvrir un stockage…).</source>
      <translation>Open a store first (menu Résorption SIG › Open a store…).</translation>
    </message>
    <message>
      <source>Carte COPIL</source>
      <translation>COPIL map</translation>
    </message>
    <message>
      <source>Export du PDF interrompu.</source>
      <translation>PDF export interrupted.</translation>
    </message>
    <message>
      <source>Export en cours ({0} page(s)) : {1}</source>
      <translation>Exporting ({0} page(s)): {1}</translation>
    </message>
    <message>
      <source>{0} paysage</source>
      <translation>{0} landscape</translation>
    </message>
    <message>
      <source>Mise en page « {0} » ouverte dans le composeur ({1} page(s)).</source>
      <translation>Layout “{0}” opened in the layout designer ({1} page(s)).</translation>
    </message>
    <message>
      <source>PDF exporté : {0}</source>
      <translation>PDF exported: {0}</translation>
    </message>
    <message>
      <source>Date de fin</source>
      <translation>End date</translation>
    </message>
    <message>
      <source>Nom</source>
      <translation>Name</translation>
    </message>
    <message>
      <source>Début</source>
      <translation>Start</translation>
    </message>
    <message>
      <source>Objectifs</source>
      <translation>Goals</translation>
    </message>
    <message>
      <source>Dép., lieu, rythme</source>
      <translation>Dép., place, frequency</translation>
    </message>
    <message>
      <source>Thématiques</source>
      <translation>Topics</translation>
    </message>
    <message>
      <source>Ajouter une structure</source>
      <translation>Add an organisation</translation>
    </message>
    <message>
      <source>Structures</source>
      <translation>Organisations</translation>
    </message>
    <message>
      <source>Saisie par</source>
      <translation>Entered by</translation>
    </message>
    <message>
      <source>(non renseigné)</source>
      <translation>(not given)</translation>
    </message>
    <message>
      <source>Site ou terrain, par son nom</source>
      <translation>Site or insertion site, by its name</translation>
    </message>
    <message>
      <source>Ajouter</source>
      <translation>Add</translation>
    </message>
    <message>
      <source>Choisir sur la carte</source>
      <translation>Pick on the map</translation>
    </message>
    <message>
      <source>Ajouter une ligne</source>
      <translation>Add a row</translation>
    </message>
    <message>
      <source>Structure</source>
      <translation>Organisation</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>Site</translation>
    </message>
    <message>
      <source>Terrain</source>
      <translation>Insertion site</translation>
    </message>
    <message>
      <source>Année</source>
      <translation>Year</translation>
    </message>
    <message>
      <source>Financeur</source>
      <translation>Funder</translation>
    </message>
    <message>
      <source>Prévu (€)</source>
      <translation>Planned (€)</translation>
    </message>
    <message>
      <source>Dépensé (€)</source>
      <translation>Spent (€)</translation>
    </message>
    <message>
      <source>Dispositifs</source>
      <translation>Programmes</translation>
    </message>
    <message>
      <source>Nouveau</source>
      <translation>New</translation>
    </message>
    <message>
      <source>Enregistrer</source>
      <translation>Save</translation>
    </message>
    <message>
      <source>Enregistrer la déclaration : dispositif, lieux, financements</source>
      <translation>Save the declaration: programme, places, funding</translation>
    </message>
    <message>
      <source>Classeur…</source>
      <translation>Workbook…</translation>
    </message>
    <message>
      <source>Classeur Excel du mois dernier à envoyer à l'opérateur</source>
      <translation>Excel workbook of last month to send to the operator</translation>
    </message>
    <message>
      <source>Importer…</source>
      <translation>Import…</translation>
    </message>
    <message>
      <source>Importer le classeur rempli par l'opérateur</source>
      <translation>Import the workbook filled in by the operator</translation>
    </message>
    <message>
      <source>Rechercher : nom du dispositif ou d'un opérateur</source>
      <translation>Search: name of the programme or of an operator</translation>
    </message>
    <message>
      <source>Thématique</source>
      <translation>Topic</translation>
    </message>
    <message>
      <source>Toutes thématiques</source>
      <translation>All topics</translation>
    </message>
    <message>
      <source>Opérateur</source>
      <translation>Operator</translation>
    </message>
    <message>
      <source>Département</source>
      <translation>Département</translation>
    </message>
    <message>
      <source>Actifs le</source>
      <translation>Active on</translation>
    </message>
    <message>
      <source>En retard de saisie</source>
      <translation>Late entries</translation>
    </message>
    <message>
      <source>Dispositif</source>
      <translation>Programme</translation>
    </message>
    <message>
      <source>Ménages suivis</source>
      <translation>Households followed</translation>
    </message>
    <message>
      <source>Lieux</source>
      <translation>Places</translation>
    </message>
    <message>
      <source>Financements</source>
      <translation>Funding</translation>
    </message>
    <message>
      <source>Indicateurs</source>
      <translation>Indicators</translation>
    </message>
    <message>
      <source>Tous opérateurs</source>
      <translation>All operators</translation>
    </message>
    <message>
      <source>Tous dép.</source>
      <translation>All dép.</translation>
    </message>
    <message>
      <source>Classeur de l'opérateur</source>
      <translation>Operator's workbook</translation>
    </message>
    <message>
      <source>Classeur Excel (*.xlsx)</source>
      <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
      <source>Conflits</source>
      <translation>Conflicts</translation>
    </message>
    <message>
      <source>Ces valeurs ont été modifiées dans le stockage depuis l'envoi du classeur.</source>
      <translation>These values were changed in the store since the workbook was sent.</translation>
    </message>
    <message>
      <source>Prendre le fichier</source>
      <translation>Take the file</translation>
    </message>
    <message>
      <source>Garder le stockage</source>
      <translation>Keep the store</translation>
    </message>
    <message>
      <source>Dép.</source>
      <translation>Dép.</translation>
    </message>
    <message>
      <source>Opérateurs</source>
      <translation>Operators</translation>
    </message>
    <message>
      <source>Retard</source>
      <translation>Late</translation>
    </message>
    <message>
      <source>Cliquez sur un site ou un terrain à lier (Échap pour finir)</source>
      <translation>Click a site or an insertion site to link (Esc to finish)</translation>
    </message>
    <message>
      <source>Importer un classeur d'opérateur</source>
      <translation>Import an operator's workbook</translation>
    </message>
    <message>
      <source>{0} dispositif(s) listé(s) sur {1}, {2} en retard de saisie</source>
      <translation>{0} programme(s) listed out of {1}, {2} with late entries</translation>
    </message>
    <message>
      <source>Dispositif enregistré : {0}</source>
      <translation>Programme saved: {0}</translation>
    </message>
    <message>
      <source>{0} valeur(s) enregistrée(s)</source>
      <translation>{0} value(s) saved</translation>
    </message>
    <message>
      <source>Import de {0} : {1} valeur(s) écrite(s), {2} inchangée(s)</source>
      <translation>Import of {0}: {1} value(s) written, {2} unchanged</translation>
    </message>
    <message>
      <source>Montant illisible : {0}</source>
      <translation>Unreadable amount: {0}</translation>
    </message>
    <message>
      <source>Valeurs refusées, rien n'a été écrit : {0}</source>
      <translation>Values refused, nothing was written: {0}</translation>
    </message>
    <message>
      <source>Indicateur local créé : {0}</source>
      <translation>Local indicator created: {0}</translation>
    </message>
    <message>
      <source>Classeur écrit : {0}</source>
      <translation>Workbook written: {0}</translation>
    </message>
    <message>
      <source>Rien n'a été importé : {0}</source>
      <translation>Nothing was imported: {0}</translation>
    </message>
    <message>
      <source>{0} mois</source>
      <translation>{0} month(s)</translation>
    </message>
    <message>
      <source>Tous</source>
      <translation>All</translation>
    </message>
    <message>
      <source>Total</source>
      <translation>Total</translation>
    </message>
    <message>
      <source>Trimestre</source>
      <translation>Quarter</translation>
    </message>
    <message>
      <source>Lignes sans dépense connue</source>
      <translation>Lines without known spending</translation>
    </message>
    <message>
      <source>Ventiler par</source>
      <translation>Split by</translation>
    </message>
    <message>
      <source>Mois non saisis</source>
      <translation>Months not entered</translation>
    </message>
    <message>
      <source>Du {0} au {1} : flux (Σ) additionnés, stocks en fin de période ; les mois non saisis sont comptés à part, jamais comme 0.</source>
      <translation>From {0} to {1}: flows (Σ) summed, stocks at the end of the period; the months not entered are counted apart, never as 0.</translation>
    </message>
    <message>
      <source>n.c.</source>
      <translation>n/a</translation>
    </message>
    <message>
      <source>Création</source>
      <translation>Created</translation>
    </message>
    <message>
      <source>Mise à jour</source>
      <translation>Updated</translation>
    </message>
    <message>
      <source>Inchangée</source>
      <translation>Unchanged</translation>
    </message>
    <message>
      <source>Ignorée</source>
      <translation>Skipped</translation>
    </message>
    <message>
      <source>Erreur</source>
      <translation>Error</translation>
    </message>
    <message>
      <source>Ouvrir le fichier</source>
      <translation>Open the file</translation>
    </message>
    <message>
      <source>Ouvrir le dossier</source>
      <translation>Open the folder</translation>
    </message>
    <message>
      <source>Enregistrer le classeur Excel</source>
      <translation>Save the Excel workbook</translation>
    </message>
    <message>
      <source>Tous les départements</source>
      <translation>All départements</translation>
    </message>
    <message>
      <source>Export Excel</source>
      <translation>Excel export</translation>
    </message>
    <message>
      <source>Ligne</source>
      <translation>Row</translation>
    </message>
    <message>
      <source>Action</source>
      <translation>Action</translation>
    </message>
    <message>
      <source>Erreurs</source>
      <translation>Errors</translation>
    </message>
    <message>
      <source>Avertissements</source>
      <translation>Warnings</translation>
    </message>
    <message>
      <source>Modifications</source>
      <translation>Changes</translation>
    </message>
    <message>
      <source>Classeur Excel (*.xlsx *.xlsm)</source>
      <translation>Excel workbook (*.xlsx *.xlsm)</translation>
    </message>
    <message>
      <source>Choisir le fichier à importer</source>
      <translation>Choose the file to import</translation>
    </message>
    <message>
      <source>Import Excel</source>
      <translation>Excel import</translation>
    </message>
    <message>
      <source>Exporter vers Excel…</source>
      <translation>Export to Excel…</translation>
    </message>
    <message>
      <source>Sites, terrains d'insertion et dispositifs à une date, dans un classeur .xlsx</source>
      <translation>Sites, insertion sites and programmes at a given date, in an .xlsx workbook</translation>
    </message>
    <message>
      <source>Importer depuis Excel…</source>
      <translation>Import from Excel…</translation>
    </message>
    <message>
      <source>Sites de l'export de la plateforme Résorption-bidonvilles ou de Résorption SIG, avec un aperçu avant d'écrire</source>
      <translation>Sites from a Résorption-bidonvilles platform export or a Résorption SIG export, previewed before anything is written</translation>
    </message>
    <message>
      <source>Export Excel : {0}</source>
      <translation>Excel export: {0}</translation>
    </message>
    <message>
      <source>Analyse du fichier : {0}</source>
      <translation>Analysing the file: {0}</translation>
    </message>
    <message>
      <source>Import Excel : {0}</source>
      <translation>Excel import: {0}</translation>
    </message>
    <message>
      <source>Analyse du classeur de l'opérateur : {0}</source>
      <translation>Analysing the operator's workbook: {0}</translation>
    </message>
    <message>
      <source>Import du classeur de l'opérateur : {0}</source>
      <translation>Importing the operator's workbook: {0}</translation>
    </message>
    <message>
      <source>Réservé aux agents habilités : Résorption SIG › Paramètres… › afficher les procédures</source>
      <translation>For authorised officers only: Résorption SIG › Settings… › Show procedures</translation>
    </message>
    <message>
      <source>Choisissez le fichier à écrire.</source>
      <translation>Choose the file to write.</translation>
    </message>
    <message>
      <source>La date de début des modifications doit précéder la date de situation.</source>
      <translation>The “Changes since” date must be before the “State at” date.</translation>
    </message>
    <message>
      <source>Annulation…</source>
      <translation>Cancelling…</translation>
    </message>
    <message>
      <source>{0} : {1} site(s), {2} terrain(s) d'insertion, {3} dispositif(s)</source>
      <translation>{0}: {1} site(s), {2} insertion site(s), {3} programme(s)</translation>
    </message>
    <message>
      <source>(sans les modifications non enregistrées)</source>
      <translation>(without the unsaved changes)</translation>
    </message>
    <message>
      <source>Position déplacée</source>
      <translation>Position moved</translation>
    </message>
    <message>
      <source>Choisissez le fichier à importer.</source>
      <translation>Choose the file to import.</translation>
    </message>
    <message>
      <source>Annuler</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <source>Fermer</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>Export en cours : {0}</source>
      <translation>Exporting: {0}</translation>
    </message>
    <message>
      <source>Analyse de {0}…</source>
      <translation>Analysing {0}…</translation>
    </message>
    <message>
      <source>{0} ligne(s) affichée(s) sur {1}</source>
      <translation>{0} of {1} row(s) shown</translation>
    </message>
    <message>
      <source>Import refusé : {0} en cours d'édition avec des modifications non enregistrées. Enregistrez-les ou annulez-les, puis importez.</source>
      <translation>Import refused: {0} being edited with unsaved changes. Save or discard them, then import.</translation>
    </message>
    <message>
      <source>Import de {0}…</source>
      <translation>Importing {0}…</translation>
    </message>
    <message>
      <source>{0} : {1} site(s) créé(s), {2} mis à jour, {3} inchangé(s), {4} ignoré(s), {5} ligne(s) en erreur non importée(s).</source>
      <translation>{0}: {1} site(s) created, {2} updated, {3} unchanged, {4} skipped, {5} row(s) with errors not imported.</translation>
    </message>
    <message>
      <source>Import terminé — {0}</source>
      <translation>Import finished — {0}</translation>
    </message>
    <message>
      <source>Modifications non enregistrées dans {0} : l'export lit le stockage, elles ne seront pas dans le fichier. Enregistrez-les d'abord pour les inclure.</source>
      <translation>Unsaved changes in {0}: the export reads the store, so they will not be in the file. Save them first to include them.</translation>
    </message>
    <message>
      <source>Le dossier {0} n'existe pas.</source>
      <translation>The folder {0} does not exist.</translation>
    </message>
    <message>
      <source>Devenir des habitants : {0}</source>
      <translation>Where the people went: {0}</translation>
    </message>
    <message>
      <source>{0} : modifié</source>
      <translation>{0}: changed</translation>
    </message>
    <message>
      <source>Fichier refusé : {0} Rien ne sera importé.</source>
      <translation>File refused: {0} Nothing will be imported.</translation>
    </message>
    <message>
      <source>Rien à importer : aucune ligne ne crée ni ne modifie de site.</source>
      <translation>Nothing to import: no row creates or changes a site.</translation>
    </message>
    <message>
      <source>{0} ligne(s) en erreur : corrigez le fichier, ou cochez « Ignorer les lignes en erreur » pour importer les autres.</source>
      <translation>{0} row(s) with errors: correct the file, or tick “Skip the rows with errors” to import the others.</translation>
    </message>
    <message>
      <source>Prêt : {0} site(s) à créer, {1} à mettre à jour. Chaque modification sera enregistrée dans l'historique, avec le fichier pour source.</source>
      <translation>Ready: {0} site(s) to create, {1} to update. Every change will be recorded in the history, with the file as its source.</translation>
    </message>
    <message>
      <source>Historique</source>
      <translation>History</translation>
    </message>
    <message>
      <source>Pas encore d'historique : enregistrez d'abord l'objet.</source>
      <translation>No history yet: save the object first.</translation>
    </message>
    <message>
      <source>{0} versions, de la plus récente à la plus ancienne. Pour revenir à une version : action « Historique » (menu Actions).</source>
      <translation>{0} versions, newest first. To go back to a version: “History” action (Actions menu).</translation>
    </message>
    <message>
      <source>(vide)</source>
      <translation>(empty)</translation>
    </message>
    <message>
      <source>(géométrie)</source>
      <translation>(geometry)</translation>
    </message>
    <message>
      <source>Oui</source>
      <translation>Yes</translation>
    </message>
    <message>
      <source>Non</source>
      <translation>No</translation>
    </message>
    <message>
      <source>position ajoutée</source>
      <translation>position added</translation>
    </message>
    <message>
      <source>position effacée</source>
      <translation>position cleared</translation>
    </message>
    <message>
      <source>contour modifié (centre déplacé de {0} m)</source>
      <translation>outline changed (centre moved by {0} m)</translation>
    </message>
    <message>
      <source>Activité</source>
      <translation>Activity</translation>
    </message>
    <message>
      <source>Choisissez un site ou un terrain, puis « Historique ».</source>
      <translation>Choose a site or an insertion site, then “History”.</translation>
    </message>
    <message>
      <source>Restaurer cette version</source>
      <translation>Restore this version</translation>
    </message>
    <message>
      <source>Enregistre une nouvelle version reprenant les valeurs de la version choisie ; rien n'est effacé.</source>
      <translation>Saves a new version with the values of the chosen version; nothing is deleted.</translation>
    </message>
    <message>
      <source>déplacé de {0} m</source>
      <translation>moved by {0} m</translation>
    </message>
    <message>
      <source>Quand / champ</source>
      <translation>When / field</translation>
    </message>
    <message>
      <source>Qui / ancienne → nouvelle valeur</source>
      <translation>Who / old → new value</translation>
    </message>
    <message>
      <source>(actuelle)</source>
      <translation>(current)</translation>
    </message>
    <message>
      <source>Restaurer la version du {0} ({1}) ?
Une nouvelle version reprenant ses valeurs sera enregistrée ; la version actuelle reste dans l'historique.</source>
      <translation>Restore the version of {0} ({1})?
A new version with its values will be saved; the current version stays in the history.</translation>
    </message>
    <message>
      <source>(inconnu)</source>
      <translation>(unknown)</translation>
    </message>
    <message>
      <source>L'objet n'est plus dans la couche.</source>
      <translation>The object is no longer in the layer.</translation>
    </message>
    <message>
      <source>Cette version est identique à l'actuelle.</source>
      <translation>This version is identical to the current one.</translation>
    </message>
    <message>
      <source>Restaurer la version du {0}</source>
      <translation>Restore the version of {0}</translation>
    </message>
    <message>
      <source>Version restaurée : nouvelle version enregistrée.</source>
      <translation>Version restored: new version saved.</translation>
    </message>
    <message>
      <source>Version restaurée dans les modifications en cours : enregistrez la couche.</source>
      <translation>Version restored in the pending changes: save the layer.</translation>
    </message>
    <message>
      <source>{0} « {1} » : {2} versions</source>
      <translation>{0} “{1}”: {2} versions</translation>
    </message>
    <message>
      <source>{0} : {1}</source>
      <translation>{0}: {1}</translation>
    </message>
    <message>
      <source>Résorption SIG</source>
      <translation>Résorption SIG</translation>
    </message>
    <message>
      <source>La version n'a pas pu être restaurée :
{0}</source>
      <translation>The version could not be restored:
{0}</translation>
    </message>
    <message>
      <source>Déverrouiller les mois passés</source>
      <translation>Unlock past months</translation>
    </message>
    <message>
      <source>Enregistrer les valeurs</source>
      <translation>Save the values</translation>
    </message>
    <message>
      <source>Indicateur local…</source>
      <translation>Local indicator…</translation>
    </message>
    <message>
      <source>Créer un indicateur propre au département du dispositif</source>
      <translation>Create an indicator of the programme's département</translation>
    </message>
    <message>
      <source>Σ : flux, additionnés sur les mois ; les autres sont des stocks, lus en fin de mois. Une case vide est inconnue, jamais zéro.</source>
      <translation>Σ: flows, summed over the months; the others are stocks, read at month end. An empty cell is unknown, never zero.</translation>
    </message>
    <message>
      <source>Le suivi porte sur un groupe de ménages, pas sur un lieu : les sites et terrains liés (onglet Lieux) sont des repères. Vide = non saisi.</source>
      <translation>The follow-up is of a group of households, not of a place: the linked sites and insertion sites (Places tab) are landmarks. Empty = not entered.</translation>
    </message>
    <message>
      <source>Saisie par : {0}</source>
      <translation>Entered by: {0}</translation>
    </message>
    <message>
      <source>non renseigné</source>
      <translation>not given</translation>
    </message>
    <message>
      <source>Ménages</source>
      <translation>Households</translation>
    </message>
    <message>
      <source>Personnes</source>
      <translation>People</translation>
    </message>
    <message>
      <source>dont femmes</source>
      <translation>of whom women</translation>
    </message>
    <message>
      <source>dont mineurs</source>
      <translation>of whom minors</translation>
    </message>
    <message>
      <source>Mois en retard : aucune valeur saisie</source>
      <translation>Late month: no value entered</translation>
    </message>
    <message>
      <source>en retard : {0}</source>
      <translation>late: {0}</translation>
    </message>
    <message>
      <source>Saisi par {0} le {1}</source>
      <translation>Entered by {0} on {1}</translation>
    </message>
    <message>
      <source>Position / contour</source>
      <translation>Position / outline</translation>
    </message>
    <message>
      <source>Rechercher : nom, adresse, commune, code INSEE</source>
      <translation>Search: name, address, municipality, INSEE code</translation>
    </message>
    <message>
      <source>Filtres et style</source>
      <translation>Filters and style</translation>
    </message>
    <message>
      <source>Modifications enregistrées.</source>
      <translation>Changes saved.</translation>
    </message>
    <message>
      <source>{0} {1}, {2} personnes</source>
      <translation>{0} {1}, {2} people</translation>
    </message>
    <message>
      <source>Statut</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>Enregistrement refusé</source>
      <translation>Saving refused</translation>
    </message>
    <message>
      <source> (+ {0} de population inconnue)</source>
      <translation> (+ {0} with unknown population)</translation>
    </message>
    <message>
      <source>Style</source>
      <translation>Style</translation>
    </message>
    <message>
      <source>Rien n'a été enregistré. Corrigez d'abord :</source>
      <translation>Nothing was saved. First correct:</translation>
    </message>
    <message>
      <source>Aucune</source>
      <translation>None</translation>
    </message>
    <message>
      <source>ex. ménages, personnes</source>
      <translation>e.g. households, people</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>Code</translation>
    </message>
    <message>
      <source>Libellé (français)</source>
      <translation>Label (French)</translation>
    </message>
    <message>
      <source>Libellé (anglais)</source>
      <translation>Label (English)</translation>
    </message>
    <message>
      <source>Unité</source>
      <translation>Unit</translation>
    </message>
    <message>
      <source>Nature</source>
      <translation>Kind</translation>
    </message>
    <message>
      <source>Créer</source>
      <translation>Create</translation>
    </message>
    <message>
      <source>Le code et le libellé en français sont obligatoires.</source>
      <translation>The code and the French label are required.</translation>
    </message>
    <message>
      <source>Indicateur local du département {0}</source>
      <translation>Local indicator of département {0}</translation>
    </message>
    <message>
      <source>ex. mediation_scolaire_{0}</source>
      <translation>e.g. mediation_scolaire_{0}</translation>
    </message>
    <message>
      <source>Les dispositifs du département {0} le trouveront dans leur grille et dans les classeurs des opérateurs.</source>
      <translation>The programmes of département {0} will find it in their grid and in the operators' workbooks.</translation>
    </message>
    <message>
      <source>Le code « {0} » est déjà pris (codes uniques dans le stockage) : choisissez-en un autre.</source>
      <translation>The code “{0}” is already taken (codes are unique in the store): choose another one.</translation>
    </message>
    <message>
      <source>Conflits : choisissez…</source>
      <translation>Conflicts: choose…</translation>
    </message>
    <message>
      <source>Conflits : prendre les valeurs du fichier</source>
      <translation>Conflicts: take the file's values</translation>
    </message>
    <message>
      <source>Conflits : garder les valeurs du stockage</source>
      <translation>Conflicts: keep the store's values</translation>
    </message>
    <message>
      <source>Rien à importer : le classeur ne change aucune valeur du stockage.</source>
      <translation>Nothing to import: the workbook changes no value of the store.</translation>
    </message>
    <message>
      <source>{0} : {1} valeur(s) écrite(s) pour « {2} », {3} inchangée(s).</source>
      <translation>{0}: {1} value(s) written for “{2}”, {3} unchanged.</translation>
    </message>
    <message>
      <source>Prêt : classeur de l'opérateur « {0} », {1} : {2} valeur(s) nouvelle(s), {3} modifiée(s), {4} inchangée(s). L'historique gardera le fichier pour source.</source>
      <translation>Ready: operator's workbook “{0}”, {1}: {2} new value(s), {3} changed, {4} unchanged. The history will keep the file as its source.</translation>
    </message>
    <message>
      <source>{0} valeur(s) en erreur : rien ne sera importé. Faites corriger le classeur.</source>
      <translation>{0} value(s) with errors: nothing will be imported. Have the workbook corrected.</translation>
    </message>
    <message>
      <source>{0} valeur(s) modifiée(s) dans le stockage depuis l'envoi du classeur diffèrent du fichier : choisissez de prendre le fichier ou de garder le stockage.</source>
      <translation>{0} value(s) changed in the store since the workbook was sent differ from the file: choose to take the file or to keep the store.</translation>
    </message>
    <message>
      <source>inconnu</source>
      <translation>unknown</translation>
    </message>
    <message>
      <source>Base PostgreSQL (connexion QGIS)</source>
      <translation>PostgreSQL database (QGIS connection)</translation>
    </message>
    <message>
      <source>Les connexions PostgreSQL enregistrées dans QGIS (Gestionnaire des sources de données). Identifiant et mot de passe viennent de la connexion ou de la base d'authentification de QGIS ; ils ne sont enregistrés nulle part ailleurs.</source>
      <translation>The PostgreSQL connections saved in QGIS (Data Source Manager). User name and password come from the connection or from QGIS's authentication database; they are saved nowhere else.</translation>
    </message>
    <message>
      <source>Nouveau stockage</source>
      <translation>New store</translation>
    </message>
    <message>
      <source>Fichier GeoPackage</source>
      <translation>GeoPackage file</translation>
    </message>
    <message>
      <source>Choisissez une connexion PostgreSQL.</source>
      <translation>Choose a PostgreSQL connection.</translation>
    </message>
    <message>
      <source>Aucune connexion PostgreSQL dans QGIS : ajoutez-en une dans le Gestionnaire des sources de données, de préférence avec une configuration d'authentification.</source>
      <translation>No PostgreSQL connection in QGIS: add one in the Data Source Manager, preferably with an authentication configuration.</translation>
    </message>
    <message>
      <source>Où créer le stockage ?</source>
      <translation>Where should the store be created?</translation>
    </message>
    <message>
      <source>Créer le schéma</source>
      <translation>Create the schema</translation>
    </message>
    <message>
      <source>Choisir le fichier…</source>
      <translation>Choose the file…</translation>
    </message>
    <message>
      <source>Mot de passe principal de QGIS non saisi : la connexion « {0} » ne peut pas être utilisée.</source>
      <translation>QGIS master password not given: the connection "{0}" cannot be used.</translation>
    </message>
    <message>
      <source>Création du stockage : {0}</source>
      <translation>Creating the store: {0}</translation>
    </message>
    <message>
      <source>Création interrompue : rien n'a été écrit.</source>
      <translation>Creation interrupted: nothing was written.</translation>
    </message>
    <message>
      <source>Stockage partagé créé sur la connexion « {0} » (schéma version {1}). Créez une copie de travail (« Créer une copie de travail… ») pour y travailler.</source>
      <translation>Shared store created on the connection "{0}" (schema version {1}). Create a working copy ("Create a working copy…") to work on it.</translation>
    </message>
    <message>
      <source>Services</source>
      <translation>Services</translation>
    </message>
    <message>
      <source>jamais</source>
      <translation>never</translation>
    </message>
    <message>
      <source>Modifier</source>
      <translation>Edit</translation>
    </message>
    <message>
      <source>Confirmer sans changement</source>
      <translation>Confirm unchanged</translation>
    </message>
    <message>
      <source>Le service a été vérifié : adresse, horaires et conditions d'accès sont inchangés</source>
      <translation>The service was checked: address, opening hours and access conditions are unchanged</translation>
    </message>
    <message>
      <source>Importer des services d'un fichier ou d'une couche du projet</source>
      <translation>Import services from a file or a layer of the project</translation>
    </message>
    <message>
      <source>Supprimer</source>
      <translation>Delete</translation>
    </message>
    <message>
      <source>Vérifier les règles puis enregistrer les modifications de la couche</source>
      <translation>Check the rules, then save the layer's changes</translation>
    </message>
    <message>
      <source>Service supprimé de l'annuaire</source>
      <translation>Service removed from the directory</translation>
    </message>
    <message>
      <source>Catégorie</source>
      <translation>Category</translation>
    </message>
    <message>
      <source>Vérifié le</source>
      <translation>Verified on</translation>
    </message>
    <message>
      <source>{0} service(s) listé(s), dont {1} à vérifier</source>
      <translation>{0} service(s) listed, {1} of them to check</translation>
    </message>
    <message>
      <source>Ouvrez d'abord un stockage (menu Résorption SIG).</source>
      <translation>Open a store first (Résorption SIG menu).</translation>
    </message>
    <message>
      <source>À vérifier (non vérifiés depuis {0} mois)</source>
      <translation>To check (not verified for {0} months)</translation>
    </message>
    <message>
      <source>{0} service(s) confirmé(s) sans changement : enregistrez pour valider.</source>
      <translation>{0} service(s) confirmed unchanged: save to validate.</translation>
    </message>
    <message>
      <source>Supprimer {0} service(s) ?</source>
      <translation>Delete {0} service(s)?</translation>
    </message>
    <message>
      <source>Importer des services</source>
      <translation>Import services</translation>
    </message>
    <message>
      <source>Fichier (CSV, xlsx, GeoJSON, GeoPackage)</source>
      <translation>File (CSV, xlsx, GeoJSON, GeoPackage)</translation>
    </message>
    <message>
      <source>Fichiers lus par QGIS (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)</source>
      <translation>Files QGIS reads (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)</translation>
    </message>
    <message>
      <source>Couche du projet</source>
      <translation>Layer of the project</translation>
    </message>
    <message>
      <source>Préréglage</source>
      <translation>Preset</translation>
    </message>
    <message>
      <source>(lue dans la colonne « Catégorie »)</source>
      <translation>(read from the “Category” column)</translation>
    </message>
    <message>
      <source>Catégorie de tous les services</source>
      <translation>Category of every service</translation>
    </message>
    <message>
      <source>Enregistrer ce préréglage…</source>
      <translation>Save this preset…</translation>
    </message>
    <message>
      <source>Importer</source>
      <translation>Import</translation>
    </message>
    <message>
      <source>Nom du préréglage :</source>
      <translation>Name of the preset:</translation>
    </message>
    <message>
      <source>Colonnes du fichier pour chaque champ :</source>
      <translation>Columns of the file for each field:</translation>
    </message>
    <message>
      <source>Choisissez un fichier ou une couche.</source>
      <translation>Choose a file or a layer.</translation>
    </message>
    <message>
      <source>{0} service(s) ajouté(s), {1} mis à jour.</source>
      <translation>{0} service(s) added, {1} updated.</translation>
    </message>
    <message>
      <source>Ligne {0} : {1}</source>
      <translation>Line {0}: {1}</translation>
    </message>
    <message>
      <source>Préréglage « {0} » enregistré.</source>
      <translation>Preset “{0}” saved.</translation>
    </message>
    <message>
      <source>Longitude (X)</source>
      <translation>Longitude (X)</translation>
    </message>
    <message>
      <source>Latitude (Y)</source>
      <translation>Latitude (Y)</translation>
    </message>
    <message>
      <source>Aucun (hors ligne)</source>
      <translation>None (offline)</translation>
    </message>
    <message>
      <source>Sites</source>
      <translation>Sites</translation>
    </message>
    <message>
      <source>Nouveau site</source>
      <translation>New site</translation>
    </message>
    <message>
      <source>Cliquez sur la carte pour placer le site</source>
      <translation>Click on the map to place the site</translation>
    </message>
    <message>
      <source>Déplacer</source>
      <translation>Move</translation>
    </message>
    <message>
      <source>Cliquez sur la carte le nouvel emplacement du site sélectionné</source>
      <translation>Click the new location of the selected site on the map</translation>
    </message>
    <message>
      <source>La situation est à jour bien qu'aucun chiffre n'ait changé</source>
      <translation>The situation is current although no figure changed</translation>
    </message>
    <message>
      <source>Fermer le site…</source>
      <translation>Close the site…</translation>
    </message>
    <message>
      <source>Rouvrir</source>
      <translation>Reopen</translation>
    </message>
    <message>
      <source>Annuler une fermeture saisie par erreur</source>
      <translation>Undo a closure entered by mistake</translation>
    </message>
    <message>
      <source>Population inconnue</source>
      <translation>Unknown population</translation>
    </message>
    <message>
      <source>site listé</source>
      <translation>site listed</translation>
    </message>
    <message>
      <source>sites listés</source>
      <translation>sites listed</translation>
    </message>
    <message>
      <source>Cliquez sur la carte à l'emplacement du nouveau site (Échap pour annuler).</source>
      <translation>Click on the map where the new site is (Esc to cancel).</translation>
    </message>
    <message>
      <source>Cliquez sur la carte le nouvel emplacement du site (Échap pour annuler).</source>
      <translation>Click the new location of the site on the map (Esc to cancel).</translation>
    </message>
    <message>
      <source>Site fermé : enregistrez pour valider.</source>
      <translation>Site closed: save to confirm.</translation>
    </message>
    <message>
      <source>Site rouvert : enregistrez pour valider.</source>
      <translation>Site reopened: save to confirm.</translation>
    </message>
    <message>
      <source>Raison de la suppression (obligatoire) :</source>
      <translation>Reason for the deletion (required):</translation>
    </message>
    <message>
      <source>Ouverts</source>
      <translation>Open</translation>
    </message>
    <message>
      <source>Fermés</source>
      <translation>Closed</translation>
    </message>
    <message>
      <source>Par taille (défaut)</source>
      <translation>By size (default)</translation>
    </message>
    <message>
      <source>Carte de chaleur des personnes</source>
      <translation>Heat map of people</translation>
    </message>
    <message>
      <source>Par statut</source>
      <translation>By status</translation>
    </message>
    <message>
      <source>Par raison de fermeture</source>
      <translation>By closing reason</translation>
    </message>
    <message>
      <source>Mineurs</source>
      <translation>Minors</translation>
    </message>
    <message>
      <source>Fermeture refusée</source>
      <translation>Closure refused</translation>
    </message>
    <message>
      <source>À mettre à jour (ni modifiés ni confirmés depuis {0} mois)</source>
      <translation>Out of date (neither updated nor confirmed for {0} months)</translation>
    </message>
    <message>
      <source>Site déplacé ({0}) : enregistrez pour valider.</source>
      <translation>Site moved ({0}): save to confirm.</translation>
    </message>
    <message>
      <source>{0} site(s) confirmé(s) sans changement : enregistrez pour valider.</source>
      <translation>{0} site(s) confirmed unchanged: save to confirm.</translation>
    </message>
    <message>
      <source>Supprimer {0} site(s) ? Un site qui a existé se ferme (« Fermer le site… ») ; supprimez seulement une erreur de saisie ou un doublon.</source>
      <translation>Delete {0} site(s)? A site that existed is closed (“Close the site…”); delete only an input error or a duplicate.</translation>
    </message>
    <message>
      <source>Lecture du stockage impossible : {0}</source>
      <translation>Cannot read the store: {0}</translation>
    </message>
    <message>
      <source>Refusé par le stockage, rien n'a été écrit : {0}</source>
      <translation>Refused by the store, nothing was written: {0}</translation>
    </message>
    <message>
      <source>Ouvrir un stockage</source>
      <translation>Open a store</translation>
    </message>
    <message>
      <source>Le stockage est en lecture seule : consultation uniquement.</source>
      <translation>The store is read-only: viewing only.</translation>
    </message>
    <message>
      <source>Ouvrir une base PostgreSQL</source>
      <translation>Open a PostgreSQL database</translation>
    </message>
    <message>
      <source>Connexion (vos droits sur la base s'appliquent) :</source>
      <translation>Connection (your rights on the database apply):</translation>
    </message>
    <message>
      <source>Stockage créé : {0}</source>
      <translation>Store created: {0}</translation>
    </message>
    <message>
      <source>Stockage ouvert : {0}</source>
      <translation>Store opened: {0}</translation>
    </message>
    <message>
      <source>Mettre à jour le stockage ?</source>
      <translation>Upgrade the store?</translation>
    </message>
    <message>
      <source>Éléments ajoutés ou refaits :</source>
      <translation>Parts added or made again:</translation>
    </message>
    <message>
      <source>La mise à jour se fait en une seule transaction ; faites d'abord une copie du fichier si d'autres versions du plugin l'utilisent. Mettre à jour maintenant ?</source>
      <translation>The upgrade runs in a single transaction; copy the file first if other versions of the plugin use it. Upgrade now?</translation>
    </message>
    <message>
      <source>(existence de l'élément)</source>
      <translation>(existence of the item)</translation>
    </message>
    <message>
      <source>Recevoir les modifications du stockage partagé et envoyer les vôtres</source>
      <translation>Receive the changes from the shared store and send yours</translation>
    </message>
    <message>
      <source>Créer une copie de travail</source>
      <translation>Create a working copy</translation>
    </message>
    <message>
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
      <source>Stockage partagé</source>
      <translation>Shared store</translation>
    </message>
    <message>
      <source>Un stockage GeoPackage partagé (dossier réseau).</source>
      <translation>A shared GeoPackage store (network folder).</translation>
    </message>
    <message>
      <source>Fichier GeoPackage partagé</source>
      <translation>Shared GeoPackage file</translation>
    </message>
    <message>
      <source>Un GeoPackage partagé ne protège rien : quiconque peut ouvrir le fichier le lit en entier, identité des propriétaires et procédures comprises. Les droits par territoire et par rôle n'existent que sur un serveur PostGIS.</source>
      <translation>A shared GeoPackage protects nothing: whoever can open the file reads all of it, owners' identities and procedures included. Rights by territory and role exist only on a PostGIS server.</translation>
    </message>
    <message>
      <source>Codes des départements, séparés par des virgules</source>
      <translation>Département codes, separated by commas</translation>
    </message>
    <message>
      <source>Copie de travail à créer</source>
      <translation>Working copy to create</translation>
    </message>
    <message>
      <source>Copie de travail (.gpkg)</source>
      <translation>Working copy (.gpkg)</translation>
    </message>
    <message>
      <source>Appliquer</source>
      <translation>Apply</translation>
    </message>
    <message>
      <source>Tout garder de mon côté</source>
      <translation>Keep everything from my side</translation>
    </message>
    <message>
      <source>Tout prendre de l'autre côté</source>
      <translation>Take everything from the other side</translation>
    </message>
    <message>
      <source>Créer une copie de travail…</source>
      <translation>Create a working copy…</translation>
    </message>
    <message>
      <source>Une copie locale (GeoPackage) des départements choisis d'un stockage partagé, pour travailler hors ligne puis synchroniser</source>
      <translation>A local copy (GeoPackage) of the chosen départements of a shared store, to work offline and then synchronise</translation>
    </message>
    <message>
      <source>Synchroniser</source>
      <translation>Synchronise</translation>
    </message>
    <message>
      <source>Copie de travail à synchroniser :</source>
      <translation>Working copy to synchronise:</translation>
    </message>
    <message>
      <source>Synchronisation en cours…</source>
      <translation>Synchronising…</translation>
    </message>
    <message>
      <source>Résoudre les conflits…</source>
      <translation>Resolve the conflicts…</translation>
    </message>
    <message>
      <source>Saisissez un ou plusieurs codes de département valides, séparés par des virgules (ex. 93, 2A, 974).</source>
      <translation>Enter one or more valid département codes, separated by commas (e.g. 93, 2A, 974).</translation>
    </message>
    <message>
      <source>Choisissez où enregistrer la copie de travail.</source>
      <translation>Choose where to save the working copy.</translation>
    </message>
    <message>
      <source>Ancêtre</source>
      <translation>Ancestor</translation>
    </message>
    <message>
      <source>Mes valeurs</source>
      <translation>My values</translation>
    </message>
    <message>
      <source>Leurs valeurs</source>
      <translation>Their values</translation>
    </message>
    <message>
      <source>Résultat</source>
      <translation>Result</translation>
    </message>
    <message>
      <source>Aucun conflit en attente : la prochaine synchronisation enverra vos choix.</source>
      <translation>No conflict pending: the next synchronisation will send your choices.</translation>
    </message>
    <message>
      <source>Résoudre le conflit</source>
      <translation>Resolve the conflict</translation>
    </message>
    <message>
      <source>Aucune copie de travail n'est ouverte : ouvrez-en une ou créez-la avec « Créer une copie de travail… ».</source>
      <translation>No working copy is open: open one or create it with “Create a working copy…”.</translation>
    </message>
    <message>
      <source>Une synchronisation est déjà en cours.</source>
      <translation>A synchronisation is already running.</translation>
    </message>
    <message>
      <source>Synchronisation terminée : {0} reçu(s), {1} envoyé(s), {2} conflit(s).</source>
      <translation>Synchronisation finished: {0} received, {1} sent, {2} conflict(s).</translation>
    </message>
    <message>
      <source>présent</source>
      <translation>present</translation>
    </message>
    <message>
      <source>supprimé</source>
      <translation>deleted</translation>
    </message>
    <message>
      <source>sorti du territoire de la copie</source>
      <translation>moved out of the copy's territory</translation>
    </message>
    <message>
      <source>Choisissez le fichier GeoPackage du stockage partagé.</source>
      <translation>Choose the GeoPackage file of the shared store.</translation>
    </message>
    <message>
      <source>La copie de travail ne peut pas remplacer le stockage partagé.</source>
      <translation>The working copy cannot replace the shared store.</translation>
    </message>
    <message>
      <source>Copie de travail : {0}</source>
      <translation>Working copy: {0}</translation>
    </message>
    <message>
      <source>Conflits — {0}</source>
      <translation>Conflicts — {0}</translation>
    </message>
    <message>
      <source>Garder toutes vos valeurs pour l'élément {0} ?</source>
      <translation>Keep all your values for item {0}?</translation>
    </message>
    <message>
      <source>Prendre toutes les valeurs de l'autre côté pour l'élément {0} ?</source>
      <translation>Take all the values from the other side for item {0}?</translation>
    </message>
    <message>
      <source>Ce choix sera enregistré dans l'historique sous votre identifiant.</source>
      <translation>This choice will be recorded in the history under your login.</translation>
    </message>
    <message>
      <source>Synchronisation : {0}</source>
      <translation>Synchronisation: {0}</translation>
    </message>
    <message>
      <source>{0} élément(s) en conflit attendent votre décision.</source>
      <translation>{0} item(s) in conflict awaiting your decision.</translation>
    </message>
    <message>
      <source>{0} — {1} ({2} champ(s))</source>
      <translation>{0} — {1} ({2} field(s))</translation>
    </message>
    <message>
      <source>Appliquer ces choix à l'élément {0} ? Ils seront enregistrés dans l'historique sous votre identifiant.</source>
      <translation>Apply these choices to item {0}? They will be recorded in the history under your login.</translation>
    </message>
    <message>
      <source>Synchroniser ({0})</source>
      <translation>Synchronise ({0})</translation>
    </message>
    <message>
      <source>Synchronisation refusée : enregistrez ou annulez d'abord les modifications en cours des couches {0}.</source>
      <translation>Synchronisation refused: first save or discard the pending changes of the layers {0}.</translation>
    </message>
    <message>
      <source> ({0} modification(s) à envoyer)</source>
      <translation> ({0} change(s) to send)</translation>
    </message>
    <message>
      <source>Le fichier {0} existe déjà : choisissez un autre nom.</source>
      <translation>The file {0} already exists: choose another name.</translation>
    </message>
    <message>
      <source>Résorption SIG : synthèse</source>
      <translation>Résorption SIG: summary</translation>
    </message>
    <message>
      <source>Synthèse</source>
      <translation>Summary</translation>
    </message>
    <message>
      <source>Stockage dont les chiffres sont calculés</source>
      <translation>Store whose figures are calculated</translation>
    </message>
    <message>
      <source>Suivre la carte</source>
      <translation>Follow the map</translation>
    </message>
    <message>
      <source>Recalculer sur l'emprise de la carte à chaque déplacement</source>
      <translation>Recalculate on the map extent whenever the map moves</translation>
    </message>
    <message>
      <source>Comparer au</source>
      <translation>Compare with</translation>
    </message>
    <message>
      <source>Sites ouverts aujourd'hui ; distance à vol d'oiseau au service enregistré le plus proche</source>
      <translation>Sites open today; straight-line distance to the nearest recorded service</translation>
    </message>
    <message>
      <source>Graphique sur 24 mois</source>
      <translation>24-month chart</translation>
    </message>
    <message>
      <source>Copier</source>
      <translation>Copy</translation>
    </message>
    <message>
      <source>Copier le tableau (à coller dans un tableur)</source>
      <translation>Copy the table (to paste into a spreadsheet)</translation>
    </message>
    <message>
      <source>Exporter en CSV…</source>
      <translation>Export as CSV…</translation>
    </message>
    <message>
      <source>Sites et terrains</source>
      <translation>Sites and insertion sites</translation>
    </message>
    <message>
      <source>Tout le stockage</source>
      <translation>The whole store</translation>
    </message>
    <message>
      <source>Tableau copié dans le presse-papiers</source>
      <translation>Table copied to the clipboard</translation>
    </message>
    <message>
      <source>Sites sélectionnés</source>
      <translation>Selected sites</translation>
    </message>
    <message>
      <source>Emprise de la carte</source>
      <translation>Map extent</translation>
    </message>
    <message>
      <source>Territoire</source>
      <translation>Territory</translation>
    </message>
    <message>
      <source>Situation au</source>
      <translation>State at</translation>
    </message>
    <message>
      <source>Aucun stockage ouvert : ouvrez un stockage pour voir ses chiffres.</source>
      <translation>No store open: open a store to see its figures.</translation>
    </message>
    <message>
      <source>Aucun stockage ouvert</source>
      <translation>No store open</translation>
    </message>
    <message>
      <source>Erreur de calcul</source>
      <translation>Calculation error</translation>
    </message>
    <message>
      <source>Chiffre</source>
      <translation>Figure</translation>
    </message>
    <message>
      <source>Exporter la synthèse</source>
      <translation>Export the summary</translation>
    </message>
    <message>
      <source>CSV (*.csv)</source>
      <translation>CSV (*.csv)</translation>
    </message>
    <message>
      <source>{0} — calculé en {1} ms</source>
      <translation>{0} — calculated in {1} ms</translation>
    </message>
    <message>
      <source>Département {0}</source>
      <translation>Département {0}</translation>
    </message>
    <message>
      <source>Commune {0}</source>
      <translation>Municipality {0}</translation>
    </message>
    <message>
      <source>Sélection : {0} sites, {1} terrains</source>
      <translation>Selection: {0} sites, {1} insertion sites</translation>
    </message>
    <message>
      <source>Emprise de la carte ({0})</source>
      <translation>Map extent ({0})</translation>
    </message>
    <message>
      <source>Écriture impossible : {0}</source>
      <translation>Cannot write: {0}</translation>
    </message>
    <message>
      <source>Afficher les chiffres du stockage (sommes automatiques)</source>
      <translation>Show the store's figures (automatic sums)</translation>
    </message>
    <message>
      <source>Historique de l'objet sélectionné</source>
      <translation>History of the selected object</translation>
    </message>
    <message>
      <source>Versions du site ou du terrain sélectionné, de la plus récente à la plus ancienne</source>
      <translation>Versions of the selected site or insertion site, newest first</translation>
    </message>
    <message>
      <source>Dernières modifications</source>
      <translation>Latest changes</translation>
    </message>
    <message>
      <source>Sélectionnez d'abord un site ou un terrain d'insertion sur la carte.</source>
      <translation>First select a site or an insertion site on the map.</translation>
    </message>
    <message>
      <source>↳ dont sites non renseignés</source>
      <translation>↳ of which sites not filled in</translation>
    </message>
    <message>
      <source>Écart</source>
      <translation>Difference</translation>
    </message>
    <message>
      <source>Sites ouverts à la date</source>
      <translation>Sites open at the date</translation>
    </message>
    <message>
      <source>Terrains d'insertion ouverts à la date</source>
      <translation>Insertion sites open at the date</translation>
    </message>
    <message>
      <source>chiffres antérieurs au {0} reconstitués à partir des dates d'installation</source>
      <translation>figures before {0} reconstructed from the installation dates</translation>
    </message>
    <message>
      <source>Au {0}</source>
      <translation>As at {0}</translation>
    </message>
    <message>
      <source>Résorption SIG — synthèse</source>
      <translation>Résorption SIG — summary</translation>
    </message>
    <message>
      <source>Stockage</source>
      <translation>Store</translation>
    </message>
    <message>
      <source>Mouvements entre les deux dates</source>
      <translation>Movements between the two dates</translation>
    </message>
    <message>
      <source>Devenir des habitants des sites fermés entre les deux dates</source>
      <translation>Where the people of the sites closed between the two dates went</translation>
    </message>
    <message>
      <source>Sites fermés sans devenir renseigné</source>
      <translation>Closed sites with no recorded outcome</translation>
    </message>
    <message>
      <source>{0} (personnes)</source>
      <translation>{0} (people)</translation>
    </message>
    <message>
      <source>Sites à plus de {0} d'une école : {1} sur {2}</source>
      <translation>Sites more than {0} from a school: {1} of {2}</translation>
    </message>
    <message>
      <source>Sites à plus de {0} d'un point d'eau : {1} sur {2}</source>
      <translation>Sites more than {0} from a water point: {1} of {2}</translation>
    </message>
    <message>
      <source>Terrains d'insertion</source>
      <translation>Insertion sites</translation>
    </message>
    <message>
      <source>Nouveau terrain</source>
      <translation>New insertion site</translation>
    </message>
    <message>
      <source>Dessinez le polygone du terrain sur la carte</source>
      <translation>Draw the polygon of the insertion site on the map</translation>
    </message>
    <message>
      <source>Vérifier les règles puis enregistrer terrains, phases et origines</source>
      <translation>Check the rules, then save insertion sites, phases and origins</translation>
    </message>
    <message>
      <source>Phases préparatoires</source>
      <translation>Preparatory phases</translation>
    </message>
    <message>
      <source>Site d'origine : nom, ou « Choisir sur la carte »</source>
      <translation>Site of origin: name, or “Pick on the map”</translation>
    </message>
    <message>
      <source>? ménages</source>
      <translation>? households</translation>
    </message>
    <message>
      <source>Origines</source>
      <translation>Origins</translation>
    </message>
    <message>
      <source>Cliquez sur le site d'origine sur la carte.</source>
      <translation>Click the site of origin on the map.</translation>
    </message>
    <message>
      <source>Dessinez le polygone (clic gauche : sommets, clic droit : terminer) ; le formulaire s'ouvre.</source>
      <translation>Draw the polygon (left click: vertices, right click: finish); the form opens.</translation>
    </message>
    <message>
      <source>Hachuré, occupation (défaut)</source>
      <translation>Hatched, occupancy (default)</translation>
    </message>
    <message>
      <source>Ménages / places</source>
      <translation>Households / places</translation>
    </message>
    <message>
      <source>Ouverture</source>
      <translation>Opening</translation>
    </message>
    <message>
      <source>{0} terrain(s) listé(s), {1} ménages accueillis pour {2} places</source>
      <translation>{0} insertion site(s) listed, {1} households housed for {2} places</translation>
    </message>
    <message>
      <source>Phase</source>
      <translation>Phase</translation>
    </message>
    <message>
      <source>Réalisée le</source>
      <translation>Completed on</translation>
    </message>
    <message>
      <source>Site d'origine</source>
      <translation>Site of origin</translation>
    </message>
    <message>
      <source>Aucun site à cet endroit.</source>
      <translation>No site here.</translation>
    </message>
    <message>
      <source>Ce site n'est pas dans le département du terrain.</source>
      <translation>This site is not in the insertion site's département.</translation>
    </message>
    <message>
      <source>Polygone invalide</source>
      <translation>Invalid polygon</translation>
    </message>
    <message>
      <source>{0} phase(s) sur 9 réalisée(s).</source>
      <translation>{0} of 9 phase(s) completed.</translation>
    </message>
    <message>
      <source>Réparer le polygone</source>
      <translation>Repair the polygon</translation>
    </message>
    <message>
      <source>Polygone réparé : vérifiez-le, puis enregistrez.</source>
      <translation>Polygon repaired: check it, then save.</translation>
    </message>
    <message>
      <source>Polygone refusé : il se recoupe lui-même.</source>
      <translation>Polygon refused: it intersects itself.</translation>
    </message>
    <message>
      <source>Le polygone de « {0} » se recoupe lui-même : il ne peut pas être enregistré tel quel. Le réparer automatiquement ?</source>
      <translation>The polygon of “{0}” intersects itself: it cannot be saved as it is. Repair it automatically?</translation>
    </message>
    <message>
      <source>Supprimer {0} terrain(s) ?</source>
      <translation>Delete {0} insertion site(s)?</translation>
    </message>
    <message>
      <source>Communes (référentiel)</source>
      <translation>Municipalities (reference)</translation>
    </message>
    <message>
      <source>Attribut inconnu : {0} (insee, name ou departement)</source>
      <translation>Unknown attribute: {0} (insee, name or departement)</translation>
    </message>
    <message>
      <source>Sans donnée personnelle : ni nom, ni naissance, ni nationalité</source>
      <translation>No personal data: no name, birth date or nationality</translation>
    </message>
    <message>
      <source>Tables</source>
      <translation>Tables</translation>
    </message>
    <message>
      <source>{0} km</source>
      <translation>{0} km</translation>
    </message>
    <message>
      <source>{0} m</source>
      <translation>{0} m</translation>
    </message>
    <message>
      <source>Sites — étiquettes</source>
      <translation>Sites — labels</translation>
    </message>
    <message>
      <source>Export du PDF COPIL : {0}</source>
      <translation>COPIL PDF export: {0}</translation>
    </message>
    <message>
      <source>Nouveau stockage…</source>
      <translation>New store…</translation>
    </message>
    <message>
      <source>Créer un stockage vide : fichier GeoPackage ou base PostgreSQL (connexion QGIS)</source>
      <translation>Create an empty store: GeoPackage file or PostgreSQL database (QGIS connection)</translation>
    </message>
    <message>
      <source>Ouvrir un stockage…</source>
      <translation>Open a store…</translation>
    </message>
    <message>
      <source>Ajouter les couches d'un stockage au projet</source>
      <translation>Add the layers of a store to the project</translation>
    </message>
    <message>
      <source>Ouvrir une base PostgreSQL (en ligne)…</source>
      <translation>Open a PostgreSQL database (online)…</translation>
    </message>
    <message>
      <source>Modifier directement le stockage partagé, sans copie de travail</source>
      <translation>Edit the shared store directly, without a working copy</translation>
    </message>
    <message>
      <source>Droits d'accès (PostGIS)…</source>
      <translation>Access rights (PostGIS)…</translation>
    </message>
    <message>
      <source>Paramètres…</source>
      <translation>Settings…</translation>
    </message>
  </context>
  <context>
    <name>CloseSiteDialog</name>
    <message>
      <source>Fermer le site</source>
      <translation>Close the site</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>Site</translation>
    </message>
    <message>
      <source>Raison de la fermeture</source>
      <translation>Reason for the closure</translation>
    </message>
    <message>
      <source>Date de fermeture</source>
      <translation>Closing date</translation>
    </message>
    <message>
      <source>Site résorbé définitivement ?</source>
      <translation>Site permanently resorbed?</translation>
    </message>
    <message>
      <source>Contexte de la fermeture</source>
      <translation>Closing context</translation>
    </message>
    <message>
      <source>Aucune donnée personnelle : ni nom, ni date de naissance, ni nationalité d'une personne.</source>
      <translation>No personal data: no name, date of birth or nationality of a person.</translation>
    </message>
    <message>
      <source>Où sont allés les habitants ? (personnes et ménages par solution ; vide = inconnu)</source>
      <translation>Where did the inhabitants go? (people and households by solution; empty = unknown)</translation>
    </message>
    <message>
      <source>Personnes</source>
      <translation>People</translation>
    </message>
    <message>
      <source>Ménages</source>
      <translation>Households</translation>
    </message>
  </context>
  <context>
    <name>CopilDialog</name>
    <message>
      <source>Préparer la carte COPIL</source>
      <translation>Prepare the COPIL map</translation>
    </message>
    <message>
      <source>Stockage</source>
      <translation>Store</translation>
    </message>
    <message>
      <source>Département</source>
      <translation>Département</translation>
    </message>
    <message>
      <source>Communes</source>
      <translation>Municipalities</translation>
    </message>
    <message>
      <source>Filtrer les communes…</source>
      <translation>Filter municipalities…</translation>
    </message>
    <message>
      <source>Aucune commune cochée : tout le département.</source>
      <translation>No municipality ticked: the whole département.</translation>
    </message>
    <message>
      <source>Situation au</source>
      <translation>State at</translation>
    </message>
    <message>
      <source>Comparée au</source>
      <translation>Compared with</translation>
    </message>
    <message>
      <source>Format</source>
      <translation>Format</translation>
    </message>
    <message>
      <source>Atlas</source>
      <translation>Atlas</translation>
    </message>
    <message>
      <source>Page des dispositifs</source>
      <translation>Programmes page</translation>
    </message>
    <message>
      <source>Ajoute une page : dispositifs actifs sur la période, ménages suivis, indicateurs et financements</source>
      <translation>Adds a page: programmes active over the period, households followed, indicators and funding</translation>
    </message>
    <message>
      <source>Services</source>
      <translation>Services</translation>
    </message>
    <message>
      <source>Montre les services et entoure les sites éloignés de la catégorie choisie</source>
      <translation>Shows the services and rings the sites far from the chosen category</translation>
    </message>
    <message>
      <source>Ouvrir dans le composeur</source>
      <translation>Open in the layout designer</translation>
    </message>
    <message>
      <source>Exporter le PDF…</source>
      <translation>Export the PDF…</translation>
    </message>
    <message>
      <source>Fermer</source>
      <translation>Close</translation>
    </message>
  </context>
  <context>
    <name>ExcelExportDialog</name>
    <message>
      <source>Exporter vers Excel</source>
      <translation>Export to Excel</translation>
    </message>
    <message>
      <source>Stockage</source>
      <translation>Store</translation>
    </message>
    <message>
      <source>Situation au</source>
      <translation>State at</translation>
    </message>
    <message>
      <source>Les sites, terrains et dispositifs tels qu'ils étaient à la fin de ce jour</source>
      <translation>The sites, insertion sites and programmes as they were at the end of that day</translation>
    </message>
    <message>
      <source>Modifications depuis le</source>
      <translation>Changes since</translation>
    </message>
    <message>
      <source>La feuille « Modifications » liste ce qui a changé de ce jour (inclus) à la date de situation</source>
      <translation>The “Modifications” sheet lists what changed from that day (inclusive) to the “State at” date</translation>
    </message>
    <message>
      <source>Département</source>
      <translation>Département</translation>
    </message>
    <message>
      <source>Inclure les procédures (section « Procédures » et propriétaire)</source>
      <translation>Include the procedures (“Procédures” section and owner)</translation>
    </message>
    <message>
      <source>Fichier</source>
      <translation>File</translation>
    </message>
    <message>
      <source>Le classeur contient les feuilles « Sites », « Terrains d'insertion », « Dispositifs », « Synthèse » (les sommes à la date de situation) et « Modifications » (ce qui a changé entre les deux dates).</source>
      <translation>The workbook contains the sheets “Sites”, “Terrains d'insertion”, “Dispositifs”, “Synthèse” (the sums at the “State at” date) and “Modifications” (what changed between the two dates).</translation>
    </message>
    <message>
      <source>Exporter</source>
      <translation>Export</translation>
    </message>
    <message>
      <source>Annuler l'export</source>
      <translation>Cancel the export</translation>
    </message>
    <message>
      <source>Fermer</source>
      <translation>Close</translation>
    </message>
  </context>
  <context>
    <name>ExcelImportDialog</name>
    <message>
      <source>Importer depuis Excel</source>
      <translation>Import from Excel</translation>
    </message>
    <message>
      <source>Stockage</source>
      <translation>Store</translation>
    </message>
    <message>
      <source>Fichier</source>
      <translation>File</translation>
    </message>
    <message>
      <source>Export des sites de la plateforme Résorption-bidonvilles, ou export de Résorption SIG (.xlsx)</source>
      <translation>Site export from the Résorption-bidonvilles platform, or Résorption SIG export (.xlsx)</translation>
    </message>
    <message>
      <source>Analyser le fichier</source>
      <translation>Analyse the file</translation>
    </message>
    <message>
      <source>Choisissez un fichier puis « Analyser le fichier » : rien n'est écrit avant « Importer ».</source>
      <translation>Choose a file, then “Analyse the file”: nothing is written before “Import”.</translation>
    </message>
    <message>
      <source>Erreurs seulement</source>
      <translation>Errors only</translation>
    </message>
    <message>
      <source>Ignorer les lignes en erreur (importer seulement les lignes valides)</source>
      <translation>Skip the rows with errors (import only the valid rows)</translation>
    </message>
    <message>
      <source>Valeurs modifiées dans le stockage depuis l'envoi du classeur de l'opérateur, et autrement dans le fichier</source>
      <translation>Values changed in the store since the operator's workbook was sent, and otherwise in the file</translation>
    </message>
    <message>
      <source>Importer</source>
      <translation>Import</translation>
    </message>
    <message>
      <source>Annuler</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <source>Résorption SIG — Paramètres</source>
      <translation>Résorption SIG — Settings</translation>
    </message>
    <message>
      <source>Identifiant enregistré comme auteur des saisies</source>
      <translation>Login recorded as the author of edits</translation>
    </message>
    <message>
      <source>ex. pref93.sig</source>
      <translation>e.g. pref93.sig</translation>
    </message>
    <message>
      <source>Site à mettre à jour après (mois)</source>
      <translation>Site out of date after (months)</translation>
    </message>
    <message>
      <source>Taille maximale d'une pièce jointe (Mo)</source>
      <translation>Maximum attachment size (MB)</translation>
    </message>
    <message>
      <source>Fond de carte en ligne (internet)</source>
      <translation>Online basemap (internet)</translation>
    </message>
    <message>
      <source>Afficher les procédures (plainte, décision de justice, évacuation)</source>
      <translation>Show procedures (complaint, court decision, eviction)</translation>
    </message>
    <message>
      <source>Vide : le nom de la session de l'ordinateur. Utilisez un identifiant de service plutôt que votre nom.</source>
      <translation>Empty: the computer's session name. Use a service login rather than your name.</translation>
    </message>
  </context>
</TS>
