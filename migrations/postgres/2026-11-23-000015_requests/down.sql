DROP TABLE habilitation_requests;
