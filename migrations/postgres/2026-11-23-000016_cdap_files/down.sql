DROP TABLE profile_views;
DROP TABLE beneficiary_files;
